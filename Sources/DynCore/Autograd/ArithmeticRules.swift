import Foundation

/// Recorded element-wise operations: the forward is the ordinary kernel, the backward the
/// derivative of that one operation, summed back over broadcast dimensions.
extension Tape {
    public func binary(_ op: BinaryOp, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        let out = try Tensor.binary(op, a, b)
        switch op {
        case .eq, .lt, .gt, .le, .ge, .maximum, .minimum:
            return recordWithoutGradient(out, op: op.name)
        default: break
        }
        // Only the tracked operands get a gradient (a constant such as the class weights needs none).
        let needA = isTracked(a), needB = isTracked(b)
        return record(out, inputs: [a, b], saving: [a, b]) { g in
            let ga: Tensor, gb: Tensor
            switch op {
            case .add: ga = g; gb = g
            case .sub: ga = g; gb = needB ? try g.map(.neg) : g
            case .mul:
                if !needB { return [try Tensor.binary(.mul, g, b).summed(to: a.shape).converted(to: a.dtype), nil] }
                if !needA { return [nil, try Tensor.binary(.mul, g, a).summed(to: b.shape).converted(to: b.dtype)] }
                ga = try Tensor.binary(.mul, g, b); gb = try Tensor.binary(.mul, g, a)
            case .div:
                ga = try Tensor.binary(.div, g, b)
                gb = try Tensor.binary(.mul, try g.map(.neg), try Tensor.binary(.div, out, b))  // -a/b^2 = -out/b
            case .pow:
                // d(a^b)/da = b a^(b-1); d(a^b)/db = a^b log a.
                let power = try Tensor.binary(.pow, a, try Tensor.binary(.sub, b, scalar: 1))
                ga = try Tensor.binary(.mul, g, try Tensor.binary(.mul, b, power))
                gb = try Tensor.binary(.mul, g, try Tensor.binary(.mul, out, try a.map(.log)))
            default: throw TensorError("autograd: \(op.name) has no gradient")
            }
            return [try ga.summed(to: a.shape).converted(to: a.dtype), try gb.summed(to: b.shape).converted(to: b.dtype)]
        }
    }

    /// a op s, or s op a when `scalarFirst`.
    public func binary(_ op: BinaryOp, _ a: Tensor, scalar s: Double, scalarFirst: Bool = false) throws -> Tensor {
        let out = try Tensor.binary(op, a, scalar: s, scalarFirst: scalarFirst)
        switch op {
        case .eq, .lt, .gt, .le, .ge, .maximum, .minimum:
            return recordWithoutGradient(out, op: op.name)
        default: break
        }
        return record(out, inputs: [a], saving: [a]) { g in
            switch (op, scalarFirst) {
            case (.add, _), (.sub, false): return [g]
            case (.sub, true): return [try g.map(.neg)]
            case (.mul, _): return [try Tensor.binary(.mul, g, scalar: s)]
            case (.div, false): return [try Tensor.binary(.div, g, scalar: s)]
            case (.div, true):  // d(s/a)/da = -s/a^2 = -out/a
                return [try Tensor.binary(.mul, g, try Tensor.binary(.div, try out.map(.neg), a))]
            case (.pow, false):
                return [try Tensor.binary(.mul, g, try Tensor.binary(.mul, try a.map(.pow(s - 1)), scalar: s))]
            case (.pow, true):  // d(s^a)/da = s^a log s
                return [try Tensor.binary(.mul, g, try Tensor.binary(.mul, out, scalar: Foundation.log(s)))]
            default: throw TensorError("autograd: \(op.name) has no gradient")
            }
        }
    }

    public func map(_ op: UnaryOp, _ a: Tensor) throws -> Tensor {
        let out = try a.map(op)
        return record(out, inputs: [a], saving: [a]) { g in
            let local: Tensor
            switch op {
            case .neg: return [try g.map(.neg)]
            case .exp: local = out
            case .log: return [try Tensor.binary(.div, g, a)]
            case .abs: local = try Tensor.binary(.sub, try Tensor.binary(.gt, a, scalar: 0), try Tensor.binary(.lt, a, scalar: 0))
            case .sqrt: return [try Tensor.binary(.div, g, try Tensor.binary(.mul, out, scalar: 2))]
            case .tanh: local = try Tensor.binary(.sub, try out.map(.pow(2)), scalar: 1, scalarFirst: true)
            case .sigmoid: local = try Tensor.binary(.mul, out, try Tensor.binary(.sub, out, scalar: 1, scalarFirst: true))
            case .relu: local = try Tensor.binary(.gt, a, scalar: 0)
            case .clamp(let lo, let hi):
                // 1 inside [lo, hi], 0 where the bound took over.
                local = try Tensor.binary(.mul, try Tensor.binary(.ge, a, scalar: lo), try Tensor.binary(.le, a, scalar: hi))
            case .pow(let p): local = try Tensor.binary(.mul, try a.map(.pow(p - 1)), scalar: p)
            }
            return [try Tensor.binary(.mul, g, local)]
        }
    }
}

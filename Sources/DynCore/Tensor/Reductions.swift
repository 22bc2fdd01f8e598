import Foundation

/// Reductions over all elements (returning Double) or along one dimension (returning a tensor
/// with that dimension removed). Sums accumulate in Double for both dtypes.
public enum ReduceOp: Sendable { case sum, mean, max, min }

extension Tensor {
    public func reduceAll(_ op: ReduceOp) throws -> Double {
        if count == 0 {
            switch op {
            case .sum: return 0
            case .mean: return .nan
            case .max, .min: throw TensorError("\(op): empty tensor has no \(op)imum")
            }
        }
        switch op {
        case .sum: var s = 0.0; forEachValue { s += $0 }; return s
        case .mean: var s = 0.0; forEachValue { s += $0 }; return s / Double(count)
        case .max: var m = -Double.infinity; var nan = false; forEachValue { if $0.isNaN { nan = true } else if $0 > m { m = $0 } }; return nan ? .nan : m
        case .min: var m = Double.infinity; var nan = false; forEachValue { if $0.isNaN { nan = true } else if $0 < m { m = $0 } }; return nan ? .nan : m
        }
    }

    /// 0-based flat index of the first largest element.
    public func argmaxAll() throws -> Int {
        guard count > 0 else { throw TensorError("argmax: empty tensor") }
        var best = -Double.infinity, at = 0, i = 0
        forEachValue { v in if v > best || (i == 0) { best = v; at = i }; i += 1 }
        return at
    }

    /// Visits each "lane" along dim: calls body(laneValues, outIndex) where outIndex is the
    /// row-major position in the reduced shape.
    func lanes(_ dim: Int, _ body: (_ values: [Double], _ k: Int) -> Void) {
        var reduced = shape
        reduced.remove(at: dim)
        let moved = try! transpose(dim, rank - 1)
        var k = 0
        let n = shape[dim]
        var lane = [Double](repeating: 0, count: n)
        var idx = [Int](repeating: 0, count: rank)
        let total = reduced.reduce(1, *)
        for _ in 0..<total {
            for j in 0..<n { idx[rank - 1] = j; lane[j] = moved.value(at: idx) }
            body(lane, k)
            k += 1
            var d = rank - 2
            while d >= 0 { idx[d] += 1; if idx[d] < moved.shape[d] { break }; idx[d] = 0; d -= 1 }
        }
    }

    /// Reduction along dim. For max/min also returns the 0-based positions of the extremes.
    public func reduce(_ op: ReduceOp, dim: Int) throws -> (values: Tensor, indices: [Int]) {
        try checkDim(dim, "\(op)")
        if (op == .max || op == .min) && shape[dim] == 0 {
            throw TensorError("\(op): dimension \(dim + 1) is empty")
        }
        var reduced = shape
        reduced.remove(at: dim)
        let out = Tensor(uninitialized: reduced, dtype: dtype)
        var positions = [Int](repeating: 0, count: out.count)
        let outFlat = try out.view([out.count])
        lanes(dim) { lane, k in
            var r = 0.0
            switch op {
            case .sum: r = lane.reduce(0, +)
            case .mean: r = lane.reduce(0, +) / Double(lane.count)
            case .max, .min:
                var at = 0
                for j in 1..<lane.count where lane[at].isNaN == false {
                    if lane[j].isNaN || (op == .max ? lane[j] > lane[at] : lane[j] < lane[at]) { at = j }
                }
                r = lane[at]
                positions[k] = at
            }
            outFlat.setValue(r, at: [k])
        }
        return (out, positions)
    }

    public func norm() -> Double {
        var s = 0.0
        forEachValue { s += $0 * $0 }
        return s.squareRoot()
    }

    public func dot(_ other: Tensor) throws -> Double {
        guard count == other.count else {
            throw TensorError("dot: tensors have \(count) and \(other.count) elements")
        }
        let a = toArray(), b = other.toArray()
        var s = 0.0
        for i in 0..<a.count { s += a[i] * b[i] }
        return s
    }
}

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
        if (op == .sum || op == .mean) && dtype == .float64 && isContiguous {
            // The same additions in the same (row-major) order as below, without a call per element.
            let p = pointer(Double.self)
            var s = 0.0
            for i in 0..<count { s += p[i] }
            return op == .sum ? s : s / Double(count)
        }
        switch op {
        case .sum: var s = 0.0; forEachValue { s += $0 }; return s
        case .mean: var s = 0.0; forEachValue { s += $0 }; return s / Double(count)
        case .max: var m = -Double.infinity; var nan = false; forEachValue { if $0.isNaN { nan = true } else if $0 > m { m = $0 } }; return nan ? .nan : m
        case .min: var m = Double.infinity; var nan = false; forEachValue { if $0.isNaN { nan = true } else if $0 < m { m = $0 } }; return nan ? .nan : m
        }
    }

    /// 0-based flat index of the first largest element (of the first NaN if there is one, as
    /// numpy.argmax).
    public func argmaxAll() throws -> Int {
        guard count > 0 else { throw TensorError("argmax: empty tensor") }
        var best = -Double.infinity, at = -1, i = 0
        forEachValue { v in
            if at < 0 || !best.isNaN && (v > best || v.isNaN) { best = v; at = i }
            i += 1
        }
        return at
    }

    /// Reduction along dim. For max/min also returns the 0-based positions of the extremes
    /// (the first one on ties; a NaN wins, as in numpy).
    public func reduce(_ op: ReduceOp, dim: Int) throws -> (values: Tensor, indices: [Int]) {
        try checkDim(dim, "\(op)")
        if (op == .max || op == .min) && shape[dim] == 0 {
            throw TensorError("\(op): dimension \(dim + 1) is empty")
        }
        var reduced = shape, laneStrides = strides
        reduced.remove(at: dim)
        laneStrides.remove(at: dim)
        let out = try Tensor(uninitialized: reduced, dtype: dtype)
        var positions = [Int](repeating: 0, count: out.count)
        switch dtype {
        case .float64: reduceLanes(op, dim, reduced, laneStrides, out, &positions, Double.self)
        case .float32: reduceLanes(op, dim, reduced, laneStrides, out, &positions, Float.self)
        }
        return (out, positions)
    }

    /// out (contiguous) gets one value per lane; lanes are visited in out's row-major order.
    private func reduceLanes<T: TensorScalar>(_ op: ReduceOp, _ dim: Int, _ reduced: [Int], _ laneStrides: [Int],
                                              _ out: Tensor, _ positions: inout [Int], _: T.Type) {
        let src = storage.pointer(T.self), dst = out.pointer(T.self)
        let n = shape[dim], step = strides[dim]
        var k = 0
        StridedLoop.rows(shape: reduced, laneStrides, offset, laneStrides, offset) { start, _, runs, s, _ in
            for r in 0..<runs {
                let lane = src + start + r * s
                switch op {
                case .sum, .mean:
                    var acc = 0.0
                    for j in 0..<n { acc += lane[j * step].double }
                    dst[k] = T(op == .sum ? acc : acc / Double(n))
                case .max, .min:
                    var at = 0
                    var best = lane[0]
                    for j in 1..<max(n, 1) where !best.isNaN {
                        let v = lane[j * step]
                        if v.isNaN || (op == .max ? v > best : v < best) { best = v; at = j }
                    }
                    dst[k] = best
                    positions[k] = at
                }
                k += 1
            }
        }
    }

    public func norm() -> Double {
        var s = 0.0
        forEachValue { s += $0 * $0 }
        return s.squareRoot()
    }

    /// The sum of element-wise products of two tensors of the same shape.
    public func dot(_ other: Tensor) throws -> Double {
        guard shape == other.shape else {
            throw TensorError("dot: shapes \(shapeText(shape)) and \(shapeText(other.shape)) differ")
        }
        let a = toArray(), b = other.toArray()
        var s = 0.0
        for i in 0..<a.count { s += a[i] * b[i] }
        return s
    }
}

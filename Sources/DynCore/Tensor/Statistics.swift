import Foundation

/// Summary statistics beyond the plain reductions: standard deviation, the distinct values,
/// counts of integer labels.
extension Tensor {
    /// The population standard deviation (numpy's default, ddof = 0): the square root of the
    /// mean squared deviation from the mean, both passes in float64. Empty: NaN.
    public func std() -> Double {
        guard count > 0 else { return .nan }
        var s = 0.0
        forEachValue { s += $0 }
        let mean = s / Double(count)
        var q = 0.0
        forEachValue { q += ($0 - mean) * ($0 - mean) }
        return (q / Double(count)).squareRoot()
    }

    /// The standard deviation of each lane along `dim` (ddof = 0), that dimension removed; the
    /// result keeps the dtype. An empty lane gives NaN.
    public func std(dim: Int) throws -> Tensor {
        try checkDim(dim, "std")
        var reduced = shape, laneStrides = strides
        reduced.remove(at: dim)
        laneStrides.remove(at: dim)
        let out = try Tensor(uninitialized: reduced, dtype: dtype)
        let n = shape[dim], step = strides[dim]
        var k = 0
        StridedLoop.rows(shape: reduced, strides: [laneStrides], offsets: [offset]) { offs, runs, inner in
            for r in 0..<runs {
                let start = offs[0] + r * inner[0]
                var s = 0.0
                for j in 0..<n { s += element(start + j * step) }
                let mean = s / Double(n)
                var q = 0.0
                for j in 0..<n { let d = element(start + j * step) - mean; q += d * d }
                out.setElement(k, (q / Double(n)).squareRoot())
                k += 1
            }
        }
        return out
    }

    /// The distinct values, ascending, as a 1-D tensor of the same dtype. 0 and -0 count as one
    /// value (the first met after sorting), and all NaNs as one, placed last (numpy's default).
    public func unique() throws -> Tensor {
        var values = toArray()
        values.sort { a, b in a < b || (!a.isNaN && b.isNaN) }
        var out: [Double] = []
        for v in values where out.last.map({ !($0 == v || ($0.isNaN && v.isNaN)) }) ?? true {
            out.append(v)
        }
        return try Tensor(shape: [out.count], values: out, dtype: dtype)
    }

    /// Counts of the 1-based labels of a 1-D tensor: element k of the result is how many
    /// elements equal k. Its length is the largest label, or `minLength` when that is more.
    /// Every element must be an integer >= 1 (a 0 or a fraction is an error naming it).
    public func bincount(minLength: Int = 0) throws -> Tensor {
        guard rank == 1 else { throw TensorError("bincount: expected a 1-D tensor, got shape \(shapeText(shape))") }
        guard minLength >= 0 else { throw TensorError("bincount: minlength must be >= 0, got \(minLength)") }
        let values = toArray()
        var top = minLength
        for (k, v) in values.enumerated() {
            guard v == v.rounded(), v >= 1, v < 0x1p62 else {
                throw TensorError("bincount: element \(k + 1) is \(valueText(v)), expected an integer >= 1 (labels are 1-based)")
            }
            top = Swift.max(top, Int(v))
        }
        try Tensor.checkedCount([top], .float64, "bincount")
        let out = try Tensor(zeros: [top])
        let p = out.pointer(Double.self)
        for v in values { p[Int(v) - 1] += 1 }
        return out
    }

    /// Joins tensors of one shape along a new dimension inserted at `dim` (0...rank).
    public static func stack(_ parts: [Tensor], dim: Int) throws -> Tensor {
        guard let first = parts.first else { throw TensorError("stack: expected at least one tensor") }
        guard dim >= 0, dim <= first.rank else {
            throw TensorError("stack: dimension \(dim + 1) out of range for stacking \(first.rank)-D tensors (1..\(first.rank + 1))")
        }
        var raised: [Tensor] = []
        for (k, p) in parts.enumerated() {
            guard p.shape == first.shape else {
                throw TensorError("stack: tensor \(k + 1) has shape \(shapeText(p.shape)), expected \(shapeText(first.shape)) like tensor 1")
            }
            var shape = p.shape, strides = p.strides
            shape.insert(1, at: dim)
            strides.insert(0, at: dim)
            raised.append(Tensor(storage: p.storage, shape: shape, strides: strides, offset: p.offset))
        }
        return try cat(raised, dim: dim)
    }
}

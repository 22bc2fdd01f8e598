/// Column-wise standardization: (X - mean) / std, with the population standard deviation
/// (divide by N) as scikit-learn's StandardScaler. A constant column (max == min) gets std 1,
/// so it is only centred; the returned std holds that 1 too, so reusing mean and std on
/// validation data gives the same transformation.
public enum Standardize {
    public struct Result {
        public let x: Tensor
        public let mean: Tensor
        public let std: Tensor
    }

    /// Mean and std of every column of a 2-D tensor (float64 results).
    public static func statistics(_ x: Tensor) throws -> (mean: [Double], std: [Double]) {
        guard x.rank == 2, x.shape[0] >= 1 else {
            throw TensorError("data.standardize: X must be 2-D with at least one row, got shape \(shapeText(x.shape))")
        }
        let n = x.shape[0], f = x.shape[1]
        var mean = [Double](repeating: 0, count: f), std = [Double](repeating: 0, count: f)
        for j in 0..<f {
            var sum = 0.0, lo = Double.infinity, hi = -Double.infinity
            for i in 0..<n {
                let v = x.value(at: [i, j])
                sum += v; lo = min(lo, v); hi = max(hi, v)
            }
            let m = sum / Double(n)
            var squares = 0.0
            for i in 0..<n { let d = x.value(at: [i, j]) - m; squares += d * d }
            mean[j] = m
            std[j] = lo == hi ? 1 : (squares / Double(n)).squareRoot()
        }
        return (mean, std)
    }

    /// Standardizes X with its own statistics, or with the given ones (both or neither).
    public static func apply(_ x: Tensor, mean given: [Double]? = nil, std givenStd: [Double]? = nil) throws -> Result {
        guard x.rank == 2 else {
            throw TensorError("data.standardize: X must be 2-D (samples x features), got shape \(shapeText(x.shape))")
        }
        let f = x.shape[1]
        let mean: [Double], std: [Double]
        switch (given, givenStd) {
        case (nil, nil): (mean, std) = try statistics(x)
        case (let m?, let s?):
            guard m.count == f, s.count == f else {
                throw TensorError("data.standardize: mean and std must have \(f) values (one per column), got \(m.count) and \(s.count)")
            }
            for (j, v) in s.enumerated() where !(v > 0 && v.isFinite) {
                throw TensorError("data.standardize: std[\(j + 1)] must be a finite number > 0, got \(v)")
            }
            for (j, v) in m.enumerated() where !v.isFinite {
                throw TensorError("data.standardize: mean[\(j + 1)] must be finite, got \(v)")
            }
            (mean, std) = (m, s)
        default: throw TensorError("data.standardize: give both mean and std, or neither")
        }
        let out = try Tensor(uninitialized: x.shape, dtype: x.dtype)
        for i in 0..<x.shape[0] {
            for j in 0..<f { out.setValue((x.value(at: [i, j]) - mean[j]) / std[j], at: [i, j]) }
        }
        return Result(x: out, mean: try Tensor(shape: [f], values: mean), std: try Tensor(shape: [f], values: std))
    }
}

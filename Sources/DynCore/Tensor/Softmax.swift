import Foundation

/// Softmax and log-softmax along a dimension, shifted by the lane maximum so that exp never
/// overflows: log_softmax(x)_i = x_i - m - log(sum_j exp(x_j - m)).
extension Tensor {
    public func softmax(dim: Int) throws -> Tensor { try softmaxLike(dim: dim, log: false) }
    public func logSoftmax(dim: Int) throws -> Tensor {
        if let memo = SoftmaxMemo.active, let hit = try memo.lookup(self, dim: dim) { return hit }
        return try softmaxLike(dim: dim, log: true)
    }

    func softmaxLike(dim: Int, log takeLog: Bool) throws -> Tensor {
        try checkDim(dim, takeLog ? "log_softmax" : "softmax")
        let src = try transpose(dim, rank - 1).contiguous()
        let out = try Tensor(uninitialized: src.shape, dtype: dtype)
        let n = shape[dim]
        let lanes = n == 0 ? 0 : src.count / n
        switch dtype {
        case .float64: Tensor.softmaxRows(src.pointer(Double.self), out.pointer(Double.self), lanes, n, takeLog)
        case .float32: Tensor.softmaxRows(src.pointer(Float.self), out.pointer(Float.self), lanes, n, takeLog)
        }
        return try out.transpose(dim, rank - 1).contiguous()
    }

    /// log_softmax along the last dimension (the same values as `logSoftmax(dim:)`) and the
    /// probabilities exp(x - m) / s from the same pass, for the autograd tape.
    func logSoftmaxLast() throws -> (logSoftmax: Tensor, probabilities: Tensor) {
        let src = try contiguous()
        let out = try Tensor(uninitialized: shape, dtype: dtype), p = try Tensor(uninitialized: shape, dtype: dtype)
        let n = shape.last ?? 1
        let lanes = n == 0 ? 0 : count / n
        func run<T: TensorScalar>(_ x: UnsafeMutablePointer<T>, _ y: UnsafeMutablePointer<T>, _ q: UnsafeMutablePointer<T>) {
            for r in 0..<lanes {
                let xr = x + r * n, yr = y + r * n, qr = q + r * n
                var m = -T.infinity
                for j in 0..<n where xr[j] > m { m = xr[j] }
                if !m.isFinite { m = 0 }
                var s: T = 0
                for j in 0..<n { let e = T.exp(xr[j] - m); qr[j] = e; s += e }
                let ls = T.log(s)
                for j in 0..<n { yr[j] = xr[j] - m - ls; qr[j] = qr[j] / s }
            }
        }
        switch dtype {
        case .float64: run(src.pointer(Double.self), out.pointer(Double.self), p.pointer(Double.self))
        case .float32: run(src.pointer(Float.self), out.pointer(Float.self), p.pointer(Float.self))
        }
        return (out, p)
    }

    /// Row-wise kernel over contiguous rows of length n.
    public static func softmaxRows<T: TensorScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>,
                                                    _ rows: Int, _ n: Int, _ takeLog: Bool) {
        for r in 0..<rows {
            let xr = x + r * n, yr = y + r * n
            var m = -T.infinity
            for j in 0..<n where xr[j] > m { m = xr[j] }
            if !m.isFinite { m = 0 }
            var s: T = 0
            for j in 0..<n { s += T.exp(xr[j] - m) }
            if takeLog {
                let ls = T.log(s)
                for j in 0..<n { yr[j] = xr[j] - m - ls }
            } else {
                for j in 0..<n { yr[j] = T.exp(xr[j] - m) / s }
            }
        }
    }
}

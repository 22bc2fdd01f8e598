import Foundation

/// Softmax and LogSoftmax along the last dimension (each row is a sample), numerically stable
/// (shifted by the row maximum). Backward, per row, from the saved output y:
/// softmax: dx = y * (g - sum(g * y)); log-softmax: dx = g - exp(y) * sum(g).
open class RowSoftmax: Module {
    public let takeLog: Bool
    public private(set) var output: Tensor?
    var gradInput: Tensor?

    public init(log takeLog: Bool) {
        self.takeLog = takeLog
        super.init()
    }

    open override var description: String { takeLog ? "LogSoftmax" : "Softmax" }

    open override func forward(_ x: Tensor) throws -> Tensor {
        guard x.rank >= 1 else { throw TensorError("\(description): expected at least a 1-D input, got a scalar") }
        let src = x.isContiguous ? x : try x.contiguous()
        let y = try Buffers.reuse(&output, shape: x.shape, dtype: x.dtype)
        let n = x.shape[x.rank - 1]
        let rows = n == 0 ? 0 : x.count / n
        switch x.dtype {
        case .float64: Tensor.softmaxRows(src.pointer(Double.self), y.pointer(Double.self), rows, n, takeLog)
        case .float32: Tensor.softmaxRows(src.pointer(Float.self), y.pointer(Float.self), rows, n, takeLog)
        }
        lastInput = x
        return y
    }

    open override func backward(_ x: Tensor, _ gradOutput: Tensor) throws -> Tensor {
        try ensureForward(x)
        let y = output!
        try checkGradShape(gradOutput, y)
        var g = try gradOutput.converted(to: y.dtype)
        if !g.isContiguous { g = try g.contiguous() }
        let gx = try Buffers.reuse(&gradInput, shape: y.shape, dtype: y.dtype)
        let n = y.shape[y.rank - 1]
        let rows = n == 0 ? 0 : y.count / n
        switch y.dtype {
        case .float64: RowSoftmax.backwardRows(g.pointer(Double.self), y.pointer(Double.self), gx.pointer(Double.self), rows, n, takeLog)
        case .float32: RowSoftmax.backwardRows(g.pointer(Float.self), y.pointer(Float.self), gx.pointer(Float.self), rows, n, takeLog)
        }
        return gx
    }

    static func backwardRows<T: TensorScalar>(_ g: UnsafePointer<T>, _ y: UnsafePointer<T>, _ gx: UnsafeMutablePointer<T>,
                                              _ rows: Int, _ n: Int, _ takeLog: Bool) {
        for r in 0..<rows {
            let gr = g + r * n, yr = y + r * n, out = gx + r * n
            var s: T = 0
            if takeLog {
                for j in 0..<n { s += gr[j] }
                for j in 0..<n { out[j] = gr[j] - T.exp(yr[j]) * s }
            } else {
                for j in 0..<n { s += gr[j] * yr[j] }
                for j in 0..<n { out[j] = yr[j] * (gr[j] - s) }
            }
        }
    }
}

public final class Softmax: RowSoftmax {
    public init() { super.init(log: false) }
}

public final class LogSoftmax: RowSoftmax {
    public init() { super.init(log: true) }
}

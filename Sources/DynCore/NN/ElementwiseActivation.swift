import CKernels

/// The element-wise activations (ReLU, Tanh, Sigmoid): y = f(x) for tensors of any shape, with
/// backward computed from the saved output y (f'(x) is a function of y for all three).
open class ElementwiseActivation: Module {
    public enum Kind: String, Sendable { case relu = "ReLU", tanh = "Tanh", sigmoid = "Sigmoid" }

    public let kind: Kind
    /// The output of the last forward and the last gradient input (reused buffers).
    public internal(set) var output: Tensor?
    var gradInput: Tensor?

    public init(_ kind: Kind) {
        self.kind = kind
        super.init()
    }

    open override var description: String { kind.rawValue }

    open override func forward(_ x: Tensor) throws -> Tensor {
        let y = try Buffers.reuse(&output, shape: x.shape, dtype: x.dtype)
        switch x.dtype {
        case .float64: try ElementwiseActivation.forwardKernel(kind, x, y, Double.self)
        case .float32: try ElementwiseActivation.forwardKernel(kind, x, y, Float.self)
        }
        lastInput = x
        return y
    }

    open override func backward(_ x: Tensor, _ gradOutput: Tensor) throws -> Tensor {
        try ensureForward(x)
        let y = output!
        try checkGradShape(gradOutput, y)
        let g = try gradOutput.converted(to: y.dtype)
        let gx = try Buffers.reuse(&gradInput, shape: y.shape, dtype: y.dtype)
        switch y.dtype {
        case .float64: try ElementwiseActivation.backwardKernel(kind, g, y, gx, Double.self)
        case .float32: try ElementwiseActivation.backwardKernel(kind, g, y, gx, Float.self)
        }
        return gx
    }

    static func forwardKernel<T: TensorScalar>(_ kind: Kind, _ x: Tensor, _ y: Tensor, _ t: T.Type) throws {
        switch kind {
        case .relu:
            // The C kernel is vectorized for the CPU at hand (same bits as the closure).
            let xc = x.isContiguous ? x : try x.clone()
            switch T.self {
            case is Double.Type:
                let xp = xc.pointer(Double.self), yp = y.pointer(Double.self)
                Parallel.forElements(y.count) { a, n in dyn_relu_f64(n, xp + a, yp + a) }
            case is Float.Type:
                let xp = xc.pointer(Float.self), yp = y.pointer(Float.self)
                Parallel.forElements(y.count) { a, n in dyn_relu_f32(n, xp + a, yp + a) }
            default: try ElementLoops.map(xc, into: y, T.self) { $0 > 0 ? $0 : 0 }
            }
        case .tanh: try ElementLoops.map(x, into: y, T.self) { T.tanh($0) }
        case .sigmoid:
            // Two branches keep exp from overflowing for large |x|.
            try ElementLoops.map(x, into: y, T.self) { v in
                if v >= 0 { return 1 / (1 + T.exp(-v)) }
                let e = T.exp(v)
                return e / (1 + e)
            }
        }
    }

    static func backwardKernel<T: TensorScalar>(_ kind: Kind, _ g: Tensor, _ y: Tensor, _ gx: Tensor, _ t: T.Type) throws {
        switch kind {
        case .relu:
            let gc = g.isContiguous ? g : try g.clone()
            switch T.self {
            case is Double.Type:
                let gp = gc.pointer(Double.self), yp = y.pointer(Double.self), gxp = gx.pointer(Double.self)
                Parallel.forElements(gx.count) { a, n in dyn_relu_backward_f64(n, gp + a, yp + a, gxp + a) }
            case is Float.Type:
                let gp = gc.pointer(Float.self), yp = y.pointer(Float.self), gxp = gx.pointer(Float.self)
                Parallel.forElements(gx.count) { a, n in dyn_relu_backward_f32(n, gp + a, yp + a, gxp + a) }
            default: try ElementLoops.zip(gc, y, into: gx, T.self) { $1 > 0 ? $0 : 0 }
            }
        case .tanh: try ElementLoops.zip(g, y, into: gx, T.self) { $0 * (1 - $1 * $1) }
        case .sigmoid: try ElementLoops.zip(g, y, into: gx, T.self) { $0 * $1 * (1 - $1) }
        }
    }
}

/// max(x, 0). The derivative at 0 is taken as 0.
public final class ReLU: ElementwiseActivation {
    public init() { super.init(.relu) }
}

public final class Tanh: ElementwiseActivation {
    public init() { super.init(.tanh) }
}

/// 1 / (1 + exp(-x)).
public final class Sigmoid: ElementwiseActivation {
    public init() { super.init(.sigmoid) }
}

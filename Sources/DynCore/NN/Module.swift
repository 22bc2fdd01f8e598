/// A layer or a container of layers: the shared base of everything in `nn`.
///
/// Subclasses override `forward`, `backward`, `parameters`, `gradients` (and `children` for
/// containers). `parameters` and `gradients` return the same tensor objects on every call, in
/// the same order, so optimizers and flat views can hold on to them (until `convert(to:)`,
/// which replaces them by tensors of the new dtype).
///
/// Buffers: the tensors `forward` and `backward` return are owned by the module and reused by
/// the next call with the same shapes (no allocation per training step, as in Torch7). A caller
/// that keeps a result across calls must clone it.
open class Module {
    public init() {}

    /// The layer's name as `tostring` shows it ("Linear(2 -> 100)").
    open var description: String { String(describing: type(of: self)) }

    /// The input of the most recent forward (set by every forward). `backward` with another
    /// tensor object runs forward on it first, so a stale or missing forward is never used.
    public var lastInput: Tensor?

    /// Computes the output for input x (rows are samples).
    open func forward(_ x: Tensor) throws -> Tensor {
        throw TensorError("\(description): forward is not implemented")
    }

    /// Returns dLoss/dx given dLoss/dOutput, and *adds* dLoss/dParameters into `gradients`.
    /// x should be the input of the most recent forward (otherwise forward runs on it first).
    open func backward(_ x: Tensor, _ gradOutput: Tensor) throws -> Tensor {
        throw TensorError("\(description): backward is not implemented")
    }

    /// Like backward, for callers that do not need dLoss/dx (the training loop, on the whole
    /// model): layers may skip computing it. Parameter gradients are accumulated the same way.
    open func accumulateParameterGradients(_ x: Tensor, _ gradOutput: Tensor) throws {
        _ = try backward(x, gradOutput)
    }

    /// Runs forward on x unless x is the input of the most recent forward; backward calls it.
    public func ensureForward(_ x: Tensor) throws {
        if x !== lastInput { _ = try forward(x) }
    }

    open var parameters: [Tensor] { [] }
    open var gradients: [Tensor] { [] }

    /// Calls body with each of `parameters` (`gradients`), in order, without building the
    /// array: the training loop's per-step zeroing and checks allocate nothing.
    open func forEachParameter(_ body: (Tensor) -> Void) { for p in parameters { body(p) } }
    open func forEachGradient(_ body: (Tensor) -> Void) { for g in gradients { body(g) } }

    /// Tensors that are state but not parameters (BatchNorm2d's running statistics): saved
    /// with the model and by train.fit's checkpoints, converted by `convert(to:)`, never
    /// touched by optimizers.
    open var runState: [Tensor] { [] }

    /// The modules a container holds, in order (empty for a layer).
    open var children: [Module] { [] }

    /// Named tensors such as `weight` and `bias` (Lua's `lin.weight`); nil for unknown names.
    open func field(_ name: String) -> Tensor? { nil }

    /// `field` for a layer with a weight and an optional bias (Linear, Conv2d): the same four
    /// names in Lua for every such layer.
    public static func weightAndBiasField(_ name: String, weight: Tensor, bias: Tensor?,
                                          gradWeight: Tensor, gradBias: Tensor?) -> Tensor? {
        switch name {
        case "weight": return weight
        case "bias": return bias
        case "grad_weight": return gradWeight
        case "grad_bias": return gradBias
        default: return nil
        }
    }

    /// Whether the module is in training mode (train()/evaluate()).
    open var isTraining = true
    open func setTraining(_ on: Bool) { isTraining = on }

    /// Converts the parameters (and gradients) to dtype. The parameter tensors are replaced,
    /// so lists taken from `parameters` before are stale afterwards.
    open func convert(to dtype: DType) throws {}

    /// The dtype of the parameters (float64 for a module without parameters).
    public var dtype: DType { parameters.first?.dtype ?? .float64 }

    public func zeroGrad() { forEachGradient { $0.zeroFill() } }

    public var numParameters: Int { parameters.reduce(0) { $0 + $1.count } }

    /// All parameters in order, flattened into one new 1-D tensor (float64).
    public func flatParameters() throws -> Tensor {
        var values: [Double] = []
        values.reserveCapacity(numParameters)
        for p in parameters { values += p.toArray() }
        return try Tensor(shape: [values.count], values: values)
    }

    /// Writes a 1-D tensor of numParameters values into the parameters, in order.
    public func setFlatParameters(_ v: Tensor) throws {
        guard v.rank == 1, v.count == numParameters else {
            throw TensorError("set_flat_parameters: expected a 1-D tensor of \(numParameters) values, got shape \(shapeText(v.shape))")
        }
        var start = 0
        for p in parameters {
            try p.copy(from: try v.narrow(0, start: start, length: p.count).reshape(p.shape))
            start += p.count
        }
    }

    /// The flat gradient, in parameter order (float64).
    public func flatGradients() throws -> Tensor {
        var values: [Double] = []
        values.reserveCapacity(numParameters)
        for g in gradients { values += g.toArray() }
        return try Tensor(shape: [values.count], values: values)
    }
}

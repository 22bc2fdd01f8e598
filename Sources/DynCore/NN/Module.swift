/// A layer or a container of layers: the shared base of everything in `nn`.
///
/// Subclasses override `forward`, `backward`, `parameters`, `gradients` (and `children` for
/// containers). `parameters` and `gradients` return the same tensor objects on every call, in
/// the same order, so optimizers and flat views can hold on to them.
open class Module {
    public init() {}

    /// The layer's name as `tostring` shows it ("Linear(2 -> 100)").
    open var description: String { String(describing: type(of: self)) }

    /// Computes the output for input x (rows are samples).
    open func forward(_ x: Tensor) throws -> Tensor {
        throw TensorError("\(description): forward is not implemented")
    }

    /// Returns dLoss/dx given dLoss/dOutput, and *adds* dLoss/dParameters into `gradients`.
    /// x must be the input of the most recent forward.
    open func backward(_ x: Tensor, _ gradOutput: Tensor) throws -> Tensor {
        throw TensorError("\(description): backward is not implemented")
    }

    open var parameters: [Tensor] { [] }
    open var gradients: [Tensor] { [] }

    /// Whether the module is in training mode (train()/evaluate()).
    open var isTraining = true
    open func setTraining(_ on: Bool) { isTraining = on }

    /// Converts the parameters (and gradients) to dtype.
    open func convert(to dtype: DType) {}

    public func zeroGrad() { for g in gradients { g.fill(0) } }

    public var numParameters: Int { parameters.reduce(0) { $0 + $1.count } }

    /// All parameters in order, flattened into one new 1-D tensor (float64).
    public func flatParameters() -> Tensor {
        var values: [Double] = []
        values.reserveCapacity(numParameters)
        for p in parameters { values += p.toArray() }
        return Tensor(shape: [values.count], values: values)
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
    public func flatGradients() -> Tensor {
        var values: [Double] = []
        values.reserveCapacity(numParameters)
        for g in gradients { values += g.toArray() }
        return Tensor(shape: [values.count], values: values)
    }
}

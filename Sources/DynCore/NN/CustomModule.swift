/// A layer whose forward pass the caller supplies (`nn.Lambda`, `nn.Module`: a Lua function)
/// together with its pullback, so that it sits in a `Sequential`, trains with the optimizers,
/// converts, and saves like a built-in layer.
///
/// `run(module, x)` computes the output and returns it with a pullback: given dL/d(output), the
/// gradients of x and of each parameter (in `parameterNames` order). Forward keeps the pullback of
/// its last run, so backward after forward on the same input costs one pullback; any other
/// backward runs forward first. Parameters are named tensors (`m.w`), in a fixed order.
public final class CustomModule: Module {
    public typealias Pullback = (_ gradOutput: Tensor) throws -> (input: Tensor, parameters: [Tensor])
    public typealias Run = (_ module: CustomModule, _ x: Tensor) throws -> (output: Tensor, pullback: Pullback)

    /// Names the layer in `tostring`, messages and saved files ("Lambda", or the script's name).
    public let name: String
    public let parameterNames: [String]
    private var values: [Tensor]
    private var grads: [Tensor]
    private let run: Run
    private var pending: Pullback?
    /// What the binding keeps with the layer (nn.Module's `self` table), so that the script's
    /// other fields of the definition can be read from outside too (`m.scale`).
    public var scriptState: AnyObject?

    /// `parameters` are (name, tensor) pairs; the module keeps the tensors themselves.
    public init(name: String, parameters: [(String, Tensor)], run: @escaping Run) throws {
        self.name = name
        parameterNames = parameters.map { $0.0 }
        values = parameters.map { $0.1 }
        grads = try values.map { try Tensor(zeros: $0.shape, dtype: $0.dtype) }
        self.run = run
        super.init()
    }

    public override var description: String {
        if values.isEmpty { return name }
        return name + "(" + zip(parameterNames, values).map { "\($0): \(shapeText($1.shape))" }.joined(separator: ", ") + ")"
    }

    public override var parameters: [Tensor] { values }
    public override var gradients: [Tensor] { grads }

    public override func field(_ name: String) -> Tensor? {
        if let k = parameterNames.firstIndex(of: name) { return values[k] }
        if name.hasPrefix("grad_"), let k = parameterNames.firstIndex(of: String(name.dropFirst(5))) { return grads[k] }
        return nil
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        lastInput = nil
        pending = nil
        let (out, pullback) = try run(self, x)
        pending = pullback
        lastInput = x
        return out
    }

    public override func backward(_ x: Tensor, _ gradOutput: Tensor) throws -> Tensor {
        if x !== lastInput || pending == nil { _ = try forward(x) }
        guard let pullback = pending else { throw TensorError("\(name): backward without a forward pass") }
        pending = nil  // a pullback runs once: its tape is spent
        let (gx, gp) = try pullback(gradOutput)
        guard gp.count == grads.count else {
            throw TensorError("\(name): the pullback gave \(gp.count) parameter gradients for \(grads.count) parameters")
        }
        for (g, add) in zip(grads, gp) {
            guard add.shape == g.shape else {
                throw TensorError("\(name): gradient of shape \(shapeText(add.shape)) for a parameter of shape \(shapeText(g.shape))")
            }
            try g.apply(.add, add.dtype == g.dtype ? add : try add.converted(to: g.dtype))
        }
        return gx
    }

    public override func convert(to dtype: DType) throws {
        let converted = try values.map { try $0.converted(to: dtype) }
        let zeros = try converted.map { try Tensor(zeros: $0.shape, dtype: dtype) }
        values = converted
        grads = zeros
        pending = nil
        lastInput = nil
    }

    /// Replaces parameter k by `value` (same shape; its dtype becomes the parameter's): loading a
    /// saved model into a module made by the script's constructor.
    public func setParameter(_ k: Int, _ value: Tensor) throws {
        guard value.shape == values[k].shape else {
            throw TensorError("\(name): parameter '\(parameterNames[k])' has shape \(shapeText(values[k].shape)), got \(shapeText(value.shape))")
        }
        values[k] = value
        grads[k] = try Tensor(zeros: value.shape, dtype: value.dtype)
        pending = nil
        lastInput = nil
    }
}

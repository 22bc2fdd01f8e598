/// Updates a module's parameters in place from its accumulated gradients.
///
/// An optimizer holds on to the parameter and gradient tensors the module had when it was
/// created (they are stable objects) and keeps one state buffer per parameter, in the
/// parameter's dtype. Each step checks that the module still has those tensors, so a model
/// converted with `to(dtype)` after the optimizer was made gives an error, not silent no-ops.
public class Optimizer {
    public let module: Module
    public let parameters: [Tensor]
    public let gradients: [Tensor]
    /// The learning rate; may be changed between steps.
    public var learningRate: Double
    /// Number of completed steps.
    public internal(set) var stepCount = 0
    let name: String

    init(module: Module, learningRate: Double, name: String) throws {
        guard learningRate.isFinite, learningRate >= 0 else {
            throw TensorError("\(name): lr must be a finite number >= 0, got \(learningRate)")
        }
        self.module = module
        self.name = name
        self.learningRate = learningRate
        parameters = module.parameters
        gradients = module.gradients
        guard parameters.count == gradients.count else {
            throw TensorError("\(name): the model has \(parameters.count) parameters but \(gradients.count) gradients")
        }
        for (k, (p, g)) in zip(parameters, gradients).enumerated() {
            guard p.shape == g.shape, p.dtype == g.dtype, p.isContiguous, g.isContiguous else {
                throw TensorError("\(name): parameter \(k + 1) of shape \(shapeText(p.shape)) (\(p.dtype.rawValue)) does not match its gradient of shape \(shapeText(g.shape)) (\(g.dtype.rawValue)), or is not contiguous")
            }
        }
    }

    /// Fails when the module's parameters are no longer the tensors this optimizer updates.
    func checkModuleUnchanged() throws {
        var count = 0, same = true
        module.forEachParameter { p in
            if count >= parameters.count || p !== parameters[count] { same = false }
            count += 1
        }
        guard same, count == parameters.count else {
            throw TensorError("\(name): the model's parameters were replaced (for example by m:to(dtype)) after the optimizer was created; create the optimizer after converting the model")
        }
    }

    public func step() throws {
        guard learningRate.isFinite, learningRate >= 0 else {
            throw TensorError("\(name): lr must be a finite number >= 0, got \(learningRate)")
        }
        try checkModuleUnchanged()
        stepCount += 1
        for k in 0..<parameters.count { update(k) }
    }

    /// Sets every gradient of the module to zero.
    public func zeroGrad() { for g in gradients { g.zeroFill() } }

    /// Updates parameter k after stepCount was increased. Subclasses dispatch on the dtype to a
    /// generic kernel, so each kernel is specialized for Double and Float.
    func update(_ k: Int) { fatalError("subclass responsibility") }
}

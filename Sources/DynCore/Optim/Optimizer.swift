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
    /// The learning rate; may be changed between steps. With a schedule, the rate of the
    /// latest step (set from the schedule before each update).
    public var learningRate: Double
    /// When set, asked for the learning rate of every step (once, before the update).
    public var schedule: LearningRateSchedule?
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
        try applySchedule()
        try checkReady()
        stepCount += 1
        for k in 0..<parameters.count { _ = update(k, 0..<parameters[k].count, store: true) }
    }

    /// The step, unless it would make a parameter non-finite: then nothing changes (parameters,
    /// optimizer state, step count) and the first such element is returned. An update cannot be
    /// undone exactly (rounding; inf and NaN lose the old value), so the new values are computed
    /// once without being stored, and stored only when all are finite: one more read-only pass
    /// over the parameters, and no copy.
    public func stepIfFinite() throws -> NonFiniteUpdate? {
        try applySchedule()
        try checkReady()
        stepCount += 1
        for k in 0..<parameters.count where !update(k, 0..<parameters[k].count, store: false) {
            let i = (0..<parameters[k].count).first { !update(k, $0..<($0 + 1), store: false) } ?? 0
            stepCount -= 1
            let t = parameters[k]  // contiguous (checked at creation)
            let value = t.dtype == .float64 ? t.pointer(Double.self)[i] : Double(t.pointer(Float.self)[i])
            return NonFiniteUpdate(parameter: k, element: i, value: value)
        }
        for k in 0..<parameters.count { _ = update(k, 0..<parameters[k].count, store: true) }
        return nil
    }

    /// Sets the learning rate of the coming step (stepCount + 1) from the schedule.
    private func applySchedule() throws {
        guard let schedule else { return }
        let step = stepCount + 1
        let rate = try schedule.rate(step: step)
        guard rate.isFinite, rate >= 0 else {
            throw TensorError("\(name): the learning-rate schedule gave \(rate) at step \(step) (expected a finite number >= 0)")
        }
        learningRate = rate
    }

    private func checkReady() throws {
        guard learningRate.isFinite, learningRate >= 0 else {
            throw TensorError("\(name): lr must be a finite number >= 0, got \(learningRate)")
        }
        try checkModuleUnchanged()
    }

    /// Sets every gradient of the module to zero.
    public func zeroGrad() { for g in gradients { g.zeroFill() } }

    /// Updates elements `range` of parameter k (and their optimizer state) after stepCount was
    /// increased; with `store` false, stores nothing and tells whether every updated value would
    /// be finite (the same arithmetic, so the answer is exact). Subclasses dispatch on the dtype
    /// to a generic kernel, so each kernel is specialized for Double and Float.
    func update(_ k: Int, _ range: Range<Int>, store: Bool) -> Bool { fatalError("subclass responsibility") }

    /// Whether every value(i), i in range, is finite: one vectorizable pass (an OR of flags, no
    /// early exit).
    @inline(__always) static func allFinite<T: TensorScalar>(_ range: Range<Int>, _ value: (Int) -> T) -> Bool {
        var nonFinite: UInt8 = 0
        for i in range { let v = value(i); nonFinite |= v - v == 0 ? 0 : 1 }
        return nonFinite == 0
    }
}

/// An update an optimizer did not apply because it would make a parameter element non-finite
/// (0-based parameter index in `parameters()` order, and element in row-major order).
public struct NonFiniteUpdate: Equatable, Sendable {
    public let parameter: Int
    public let element: Int
    /// The element's value before the update.
    public let value: Double
}

/// Runs analysis code that must call a model's own forward and backward (the NTK's Jacobian,
/// Hessian products by differences, label checks) without changing what training sees
/// afterwards: Dropout layers run in evaluation mode (the analysis measures the
/// evaluation-mode network) and the running state (BatchNorm2d's statistics, Dropout's pass
/// counts) and accumulated gradients are put back when the body ends, error or not. The
/// parameters are the caller's business.
public enum ModelStateScope {
    public static func run<R>(_ model: Module, _ body: () throws -> R) throws -> R {
        let dropouts = model.allModules().compactMap { $0 as? Dropout }.filter { $0.isTraining }
        let state = model.runState, savedState = try state.map { try $0.clone() }
        let gradients = model.gradients, savedGradients = try gradients.map { try $0.clone() }
        for d in dropouts { d.setTraining(false) }
        defer {
            for d in dropouts { d.setTraining(true) }
            for (t, s) in zip(state, savedState) { try? t.copy(from: s) }
            for (t, s) in zip(gradients, savedGradients) { try? t.copy(from: s) }
        }
        return try body()
    }

    /// Why one forward per sample would not compute the model's function on a batch, or nil:
    /// BatchNorm2d in training mode normalizes with the batch's statistics.
    static func batchCoupling(_ model: Module) -> String? {
        guard let bn = model.allModules().first(where: { $0 is BatchNorm2d && $0.isTraining }) else { return nil }
        return "\(bn.description) is in training mode: its output depends on the whole batch (call m:evaluate() first)"
    }
}

extension Module {
    /// Runs body with this module and all below it in evaluation mode (Dropout off,
    /// BatchNorm2d on its running statistics), then puts each module's own mode back: what
    /// validation and final measurements use, whatever mode training left the model in.
    public func inEvaluationMode<R>(_ body: () throws -> R) rethrows -> R {
        let modules = allModules()
        let modes = modules.map(\.isTraining)
        guard modes.contains(true) else { return try body() }
        for m in modules { m.isTraining = false }
        defer { for (m, on) in zip(modules, modes) { m.isTraining = on } }
        return try body()
    }
}

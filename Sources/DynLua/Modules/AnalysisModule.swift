import DynCore

/// The `analysis` table: landscape diagnostics (Hessian spectrum, neural tangent kernel).
enum AnalysisModule {
    static let functions: [(String, LuaBody)] = [
        ("ntk", { guarded($0) { lua in
            let model = try lua.checkModule(1)
            lua.push(try NeuralTangentKernel.kernel(model, try lua.checkTensor(2))); return 1
        } }),
        ("ntk_eigenvalues", { guarded($0) { lua in
            let model = try lua.checkModule(1)
            let values = try NeuralTangentKernel.eigenvalues(model, try lua.checkTensor(2))
            lua.push(Tensor(shape: [values.count], values: values)); return 1
        } }),
    ]

    static func register(_ lua: Lua) {
        lua.newTable()
        lua.setFunctions(-1, functions)
    }
}

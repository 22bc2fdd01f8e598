import CLuaShim
import DynCore

/// The `analysis` table: landscape diagnostics (Hessian spectrum, neural tangent kernel).
enum AnalysisModule {
    /// The Hessian-vector product operator for (model, loss, x, y) at arguments 1...4, by the
    /// option `method` ("auto", "exact" or "differences") of `options`.
    static func hvpOperator(_ lua: Lua, _ options: Options? = nil) throws -> HessianVectorProduct {
        let model = try lua.checkModule(1)
        let loss = try lua.checkLoss(2)
        let x = try lua.checkTensor(3)
        // The labels are checked against the output; the forward must not move the model's
        // running state (dropout passes, batch-norm statistics).
        let output = try ModelStateScope.run(model) { try model.forward(x) }
        let labels = try lua.checkLabels(4, for: output, loss: loss)
        let method = try options.map { try methodOption($0) } ?? .auto
        let hvp = try HessianVectorProduct(model: model, loss: loss, x: x, labels: labels, method: method)
        hvp.interrupted = { dyn_take_interrupt() != 0 }
        return hvp
    }

    static func methodOption(_ o: Options) throws -> HessianVectorProduct.Method {
        guard let name = try o.string("method") else { return .auto }
        guard let m = HessianVectorProduct.Method(rawValue: name) else {
            throw LuaFailure.message("\(o.function): option 'method' must be \"auto\", \"exact\" or \"differences\", got '\(name.prefix(40))'")
        }
        return m
    }

    static let functions: [(String, LuaBody)] = [
        ("hvp", { guarded($0) { lua in
            let hvp = try hvpOperator(lua, try Options(lua, 6, function: "hvp", allowed: ["method"]))
            let v = try lua.checkTensor(5)
            guard v.count == hvp.dimension else {
                throw LuaFailure.argument(5, "direction has \(v.count) values, the model has \(hvp.dimension) parameters")
            }
            let hv = try hvp.apply(v.toArray())
            lua.push(try Tensor(shape: [hv.count], values: hv)); return 1
        } }),
        ("hessian", { guarded($0) { lua in
            lua.push(try Hessian.full(try hvpOperator(lua, try Options(lua, 5, function: "hessian", allowed: ["method"])))); return 1
        } }),
        ("hessian_top", { guarded($0) { lua in
            let o = try Options(lua, 5, function: "hessian_top", allowed: ["k", "iters", "seed", "smallest", "method"])
            let hvp = try hvpOperator(lua, o)
            let values = try Hessian.extremeEigenvalues(hvp, k: try o.integer("k", default: 3), iterations: try o.integer("iters"),
                                                        seed: try o.seed(),
                                                        smallest: try o.boolean("smallest", default: false))
            lua.push(try Tensor(shape: [values.count], values: values)); return 1
        } }),
        ("spectral_density", { guarded($0) { lua in
            let o = try Options(lua, 5, function: "spectral_density", allowed: ["iters", "starts", "sigma", "grid", "seed", "method"])
            let hvp = try hvpOperator(lua, o)
            let sd = SpectralDensity(iterations: min(hvp.dimension, try o.integer("iters", default: 80)),
                                     starts: try o.integer("starts", default: 4), sigma: try o.number("sigma", default: 0),
                                     gridPoints: try o.integer("grid", default: 512), seed: try o.seed())
            // Bounded so that a mistyped count is an error, not hours of work or a huge grid.
            guard sd.iterations >= 1, (1...SpectralDensity.maxStarts).contains(sd.starts),
                  (2...SpectralDensity.maxGridPoints).contains(sd.gridPoints) else {
                throw LuaFailure.message("spectral_density: iters must be >= 1, starts in 1..\(SpectralDensity.maxStarts) and grid in 2..\(SpectralDensity.maxGridPoints), got iters = \(sd.iterations), starts = \(sd.starts), grid = \(sd.gridPoints)")
            }
            let (grid, density) = try sd.estimate(dimension: hvp.dimension) { v, out in try hvp.apply(v, into: &out) }
            lua.push(try Tensor(shape: [grid.count], values: grid))
            lua.push(try Tensor(shape: [density.count], values: density))
            return 2
        } }),
        ("eigenvalues", { guarded($0) { lua in
            let values = try SymmetricEigen.eigenvalues(try lua.checkTensor(1))
            lua.push(try Tensor(shape: [values.count], values: values)); return 1
        } }),
        ("ntk", { guarded($0) { lua in
            let model = try lua.checkModule(1)
            lua.push(try NeuralTangentKernel.kernel(model, try lua.checkTensor(2))); return 1
        } }),
        ("ntk_eigenvalues", { guarded($0) { lua in
            let model = try lua.checkModule(1)
            let values = try NeuralTangentKernel.eigenvalues(model, try lua.checkTensor(2))
            lua.push(try Tensor(shape: [values.count], values: values)); return 1
        } }),
    ]

    static func register(_ lua: Lua) {
        lua.newTable()
        lua.setFunctions(-1, functions)
    }
}

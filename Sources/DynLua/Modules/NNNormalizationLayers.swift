import DynCore

/// Constructors of nn.Dropout, nn.GlobalAvgPool2d and nn.BatchNorm2d (listed in NNModule).
enum NNNormalizationLayers {
    /// Core errors name the layer; the Lua ones name the constructor.
    static func named<T>(_ layer: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as TensorError {
            throw LuaFailure.message(e.message.replacingOccurrences(of: layer + ":", with: "nn." + layer + ":"))
        }
    }

    /// nn.Dropout(p [, {seed = n}]): without a seed, the layer takes the next value of the
    /// global generator (tensor.seed makes the script reproducible).
    static func dropout(_ lua: Lua) throws -> Int32 {
        let p = try lua.checkNumber(1)
        let opts = try Options(lua, 2, function: "nn.Dropout", allowed: ["seed"])
        let seed = try opts.integer("seed") != nil ? try opts.seed() : Dropout.drawSeed()
        lua.push(try named("Dropout") { try Dropout(p: p, seed: seed) })
        return 1
    }

    /// nn.BatchNorm2d(C [, {eps = 1e-5, momentum = 0.1}]).
    static func batchNorm(_ lua: Lua) throws -> Int32 {
        let c = try lua.checkInteger(1)
        let opts = try Options(lua, 2, function: "nn.BatchNorm2d", allowed: ["eps", "momentum"])
        let eps = try opts.number("eps", default: 1e-5), momentum = try opts.number("momentum", default: 0.1)
        lua.push(try named("BatchNorm2d") { try BatchNorm2d(c, eps: eps, momentum: momentum) })
        return 1
    }
}

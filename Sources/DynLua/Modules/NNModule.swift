import CLua
import CLuaShim
import DynCore

/// The `nn` table: layer, container and loss constructors, and nn.load.
enum NNModule {
    static func activation(_ make: @escaping () -> Module) -> (Lua) throws -> Int32 {
        { lua in lua.push(make()); return 1 }
    }

    static func checkSize(_ lua: Lua, _ i: Int32) throws -> Int {
        let n = try lua.checkInteger(i)
        guard n >= 1 else { throw LuaFailure.argument(i, "size must be positive, got \(n)") }
        return n
    }

    /// The `init` option of nn.Linear: a scheme name or a Lua function (n_in, n_out) -> tensor,
    /// called under lua_pcall before the bias is drawn.
    static func weightInit(_ lua: Lua, _ opts: Options, _ nIn: Int, _ nOut: Int) throws -> WeightInit {
        opts.push("init")
        defer { lua.pop() }
        if lua.isNoneOrNil(-1) { return .glorotNormal }
        if let name = lua.string(-1) {
            guard let scheme = WeightInit(name: name) else {
                throw LuaFailure.message("nn.Linear: unknown init '\(name)' (expected \(WeightInit.names.joined(separator: ", ")) or a function)")
            }
            return scheme
        }
        guard lua.isFunction(-1) else {
            throw LuaFailure.message("nn.Linear: option 'init' must be a string or a function, got \(lua.typeName(-1))")
        }
        guard lua.ensureStack(4) else { throw LuaFailure.message("nn.Linear: Lua stack overflow") }
        lua.pushValue(-1)
        lua.push(nIn)
        lua.push(nOut)
        if dyn_pcall(lua.L, 2, 1, 0) != LUA_OK {
            let why = lua.string(-1) ?? "(error object is a \(lua.typeName(-1)) value)"
            lua.pop()
            throw LuaFailure.message("nn.Linear: the init function failed: \(why)")
        }
        defer { lua.pop() }
        guard let w = lua.tensor(-1) else {
            throw LuaFailure.message("nn.Linear: the init function must return a tensor of shape \(shapeText([nIn, nOut])), got \(lua.typeName(-1))")
        }
        guard w.shape == [nIn, nOut] else {
            throw LuaFailure.message("nn.Linear: the init function must return a tensor of shape \(shapeText([nIn, nOut])), got shape \(shapeText(w.shape))")
        }
        return .values(w)
    }

    static func lossOptions(_ lua: Lua, _ function: String) throws -> [Double]? {
        let opts = try Options(lua, 1, function: function, allowed: ["weights"])
        opts.push("weights")
        defer { lua.pop() }
        if lua.isNoneOrNil(-1) { return nil }
        return try NNLossMethods.weightList(lua, lua.absolute(-1), op: function)
    }

    static let functions: [(String, LuaBody)] = [
        ("Linear", { guarded($0) { lua in
            let nIn = try checkSize(lua, 1), nOut = try checkSize(lua, 2)
            let opts = try Options(lua, 3, function: "nn.Linear", allowed: ["init", "bias"])
            let bias = try opts.boolean("bias", default: true)
            let scheme = try weightInit(lua, opts, nIn, nOut)
            lua.push(try Linear(nIn, nOut, init: scheme, bias: bias)); return 1
        } }),
        ("ReLU", { guarded($0, activation { ReLU() }) }),
        ("Tanh", { guarded($0, activation { Tanh() }) }),
        ("Sigmoid", { guarded($0, activation { Sigmoid() }) }),
        ("Identity", { guarded($0, activation { Identity() }) }),
        ("Softmax", { guarded($0, activation { Softmax() }) }),
        ("LogSoftmax", { guarded($0, activation { LogSoftmax() }) }),
        ("Sequential", { guarded($0) { lua in
            let n = lua.top
            var children: [Module] = []
            if n >= 1 { for i in 1...n { children.append(try lua.checkModule(i)) } }
            lua.push(try Sequential(children)); return 1
        } }),
        ("CrossEntropyLoss", { guarded($0) { lua in
            lua.push(try CrossEntropyLoss(weights: try lossOptions(lua, "nn.CrossEntropyLoss"))); return 1
        } }),
        ("MSELoss", { guarded($0) { lua in
            lua.push(try MSELoss(weights: try lossOptions(lua, "nn.MSELoss"))); return 1
        } }),
        ("load", { guarded($0) { lua in lua.push(try Checkpoint.load(path: try lua.checkString(1))); return 1 } }),
        ("is_module", { guarded($0) { lua in lua.push(lua.module(1) != nil); return 1 } }),
    ]

    static func register(_ lua: Lua) {
        NNModuleMethods.registerMetatable(lua)
        NNLossMethods.registerMetatable(lua)
        lua.newTable()
        lua.setFunctions(-1, functions)
    }
}

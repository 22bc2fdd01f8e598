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

    /// The `init` option of nn.Linear and nn.Conv2d: a scheme name or a Lua function called
    /// with the weight's sizes (n_in, n_out; or out, in, kh, kw) under lua_pcall, before the bias
    /// is drawn, returning a tensor of that shape.
    static func weightInit(_ lua: Lua, _ opts: Options, function: String, shape: [Int]) throws -> WeightInit {
        opts.push("init")
        defer { lua.pop() }
        if lua.isNoneOrNil(-1) { return .glorotNormal }
        if let name = lua.string(-1) {
            guard let scheme = WeightInit(name: name) else {
                throw LuaFailure.message("\(function): unknown init '\(name)' (expected \(WeightInit.names.joined(separator: ", ")) or a function)")
            }
            return scheme
        }
        guard lua.isFunction(-1) else {
            throw LuaFailure.message("\(function): option 'init' must be a string or a function, got \(lua.typeName(-1))")
        }
        guard lua.ensureStack(2 + Int32(shape.count)) else { throw LuaFailure.message("\(function): Lua stack overflow") }
        lua.pushValue(-1)
        for size in shape { lua.push(size) }
        if dyn_pcall(lua.L, Int32(shape.count), 1, 0) != LUA_OK {
            let why = lua.string(-1) ?? "(error object is a \(lua.typeName(-1)) value)"
            lua.pop()
            throw LuaFailure.message("\(function): the init function failed: \(why)")
        }
        defer { lua.pop() }
        guard let w = lua.tensor(-1) else {
            throw LuaFailure.message("\(function): the init function must return a tensor of shape \(shapeText(shape)), got \(lua.typeName(-1))")
        }
        guard w.shape == shape else {
            throw LuaFailure.message("\(function): the init function must return a tensor of shape \(shapeText(shape)), got shape \(shapeText(w.shape))")
        }
        return .values(w)
    }

    /// A size pair given as a number n (n, n) or a table {a, b}: a kernel, stride or padding.
    static func pair(_ lua: Lua, _ index: Int32, function: String, what: String) throws -> (Int, Int)? {
        if lua.isNoneOrNil(index) { return nil }
        if let n = lua.integer(index) { return (n, n) }
        guard lua.isTable(index) else {
            throw LuaFailure.message("\(function): \(what) must be an integer or a table {h, w}, got \(lua.typeName(index))")
        }
        let t = lua.absolute(index)
        var values: [Int] = []
        for k in 1...3 {
            _ = lua.getIndex(t, k)
            defer { lua.pop() }
            if lua.isNoneOrNil(-1) { break }
            guard k <= 2, let v = lua.integer(-1) else {
                throw LuaFailure.message("\(function): \(what) must be an integer or a table of two integers {h, w}")
            }
            values.append(v)
        }
        guard values.count == 2 else {
            throw LuaFailure.message("\(function): \(what) must be an integer or a table of two integers {h, w}")
        }
        return (values[0], values[1])
    }

    static func pairOption(_ lua: Lua, _ opts: Options, _ key: String, function: String, default d: Int) throws -> (Int, Int) {
        opts.push(key)
        defer { lua.pop() }
        return try pair(lua, -1, function: function, what: "option '\(key)'") ?? (d, d)
    }

    static func pool(_ lua: Lua, _ kind: Pool2d.Kind) throws -> Int32 {
        let k = try lua.checkInteger(1)
        let stride = lua.isNoneOrNil(2) ? nil : try lua.checkInteger(2)
        do { lua.push(try Pool2d(kind, kernel: k, stride: stride)) } catch let e as TensorError {
            throw LuaFailure.message(e.message.replacingOccurrences(of: kind.rawValue + ":", with: "nn." + kind.rawValue + ":"))
        }
        return 1
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
            let scheme = try weightInit(lua, opts, function: "nn.Linear", shape: [nIn, nOut])
            lua.push(try Linear(nIn, nOut, init: scheme, bias: bias)); return 1
        } }),
        ("Conv2d", { guarded($0) { lua in
            let f = "nn.Conv2d"
            let nIn = try checkSize(lua, 1), nOut = try checkSize(lua, 2)
            guard let kernel = try pair(lua, 3, function: f, what: "kernel_size") else {
                throw LuaFailure.argument(3, "kernel size expected (an integer or {kh, kw})")
            }
            let opts = try Options(lua, 4, function: f, allowed: ["stride", "padding", "bias", "init"])
            let window: Window2d
            do {
                window = try Window2d(kernel: kernel, stride: try pairOption(lua, opts, "stride", function: f, default: 1),
                                      padding: try pairOption(lua, opts, "padding", function: f, default: 0), layer: f)
            } catch let e as TensorError { throw LuaFailure.message(e.message) }
            guard nIn <= Window2d.maxSize, nOut <= Window2d.maxSize else {
                throw LuaFailure.message("\(f): channel counts must be at most \(Window2d.maxSize), got \(nIn) -> \(nOut)")
            }
            let bias = try opts.boolean("bias", default: true)
            let scheme = try weightInit(lua, opts, function: f, shape: [nOut, nIn, window.kh, window.kw])
            lua.push(try Conv2d(nIn, nOut, window: window, init: scheme, bias: bias)); return 1
        } }),
        ("AvgPool2d", { guarded($0) { lua in try pool(lua, .average) } }),
        ("MaxPool2d", { guarded($0) { lua in try pool(lua, .max) } }),
        ("Dropout", { guarded($0) { lua in try NNNormalizationLayers.dropout(lua) } }),
        ("GlobalAvgPool2d", { guarded($0, activation { GlobalAvgPool2d() }) }),
        ("BatchNorm2d", { guarded($0) { lua in try NNNormalizationLayers.batchNorm(lua) } }),
        ("Flatten", { guarded($0, activation { Flatten() }) }),
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
        ("Loss", lossFunction),
        ("Lambda", lambda),
        ("Module", customModule),
        ("load", load),
        ("is_module", { guarded($0) { lua in lua.push(lua.module(1) != nil); return 1 } }),
    ]

    static func register(_ lua: Lua) {
        NNModuleMethods.registerMetatable(lua)
        NNLossMethods.registerMetatable(lua)
        lua.newTable()
        lua.setFunctions(-1, functions)
    }
}

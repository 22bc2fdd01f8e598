import CLua
import CLuaShim
import DynCore

public enum OptimizerBinding {
    public static let metatable = "dynlua.optimizer"
}

/// The `optim` table: optimizers over a module's parameters. An optimizer userdata has
/// `opt:step()`, `opt:zero_grad()`, a writable field `lr` and read-only fields describing its
/// settings (`momentum`, `weight_decay`, `nesterov` for SGD; `betas`, `eps`, `weight_decay`
/// for Adam; `steps`, the number of steps taken, for both).
enum OptimModule {
    static func checkOptimizer(_ lua: Lua, _ i: Int32 = 1) throws -> Optimizer {
        switch Userdata.get(lua, i, metatable: OptimizerBinding.metatable, as: Optimizer.self) {
        case .object(let o): return o
        case .closed: throw LuaFailure.argument(i, "optimizer has been closed")
        case .otherType: throw lua.typeError(i, expected: "optimizer")
        }
    }

    static func name(_ o: Optimizer) -> String { o is Adam ? "optim.Adam" : "optim.SGD" }

    /// Reads a non-negative finite number option.
    static func nonNegative(_ o: Options, _ key: String, default d: Double, function: String) throws -> Double {
        let v = try o.number(key, default: d)
        guard v.isFinite, v >= 0 else { throw LuaFailure.message("\(function): option '\(key)' must be a finite number >= 0, got \(v)") }
        return v
    }

    /// Option 'lr': a number, a function of the step or an `optim.schedule`.
    static func learningRate(_ lua: Lua, _ o: Options, function: String, default d: Double) throws -> (rate: Double, schedule: LearningRateSchedule?) {
        try o.with("lr") {
            lua.isNoneOrNil(-1) ? (d, nil) : try RateScheduleModule.learningRate(lua, lua.top, function: function)
        }
    }

    static let functions: [(String, LuaBody)] = [
        ("SGD", { guarded($0) { lua in
            let model = try lua.checkModule(1)
            guard lua.isTable(2) else { throw lua.typeError(2, expected: "options table") }
            let f = "optim.SGD"
            let o = try Options(lua, 2, function: f, allowed: ["lr", "momentum", "weight_decay", "nesterov"])
            guard o.has("lr") else { throw LuaFailure.message("\(f): option 'lr' is required") }
            let lr = try learningRate(lua, o, function: f, default: 0)
            let sgd = try SGD(module: model, lr: lr.rate,
                              momentum: try nonNegative(o, "momentum", default: 0, function: f),
                              weightDecay: try nonNegative(o, "weight_decay", default: 0, function: f),
                              nesterov: try o.boolean("nesterov", default: false))
            sgd.schedule = lr.schedule
            Userdata.push(lua, sgd, metatable: OptimizerBinding.metatable); return 1
        } }),
        ("Adam", { guarded($0) { lua in
            let model = try lua.checkModule(1)
            let f = "optim.Adam"
            let o = try Options(lua, 2, function: f, allowed: ["lr", "betas", "eps", "weight_decay"])
            var betas = (0.9, 0.999)
            do {
                let base = lua.top
                defer { lua.setTop(base) }  // before the optimizer is pushed
                o.push("betas")
                if !lua.isNoneOrNil(-1) {
                    guard lua.isTable(-1), lua.rawLength(-1) == 2,
                          lua.getIndex(-1, 1) == LUA_TNUMBER, lua.getIndex(-2, 2) == LUA_TNUMBER else {
                        throw LuaFailure.message("\(f): option 'betas' must be a table of two numbers, e.g. {0.9, 0.999}")
                    }
                    betas = (lua.number(-2)!, lua.number(-1)!)
                }
            }
            let lr = try learningRate(lua, o, function: f, default: 1e-3)
            let adam = try Adam(module: model, lr: lr.rate,
                                beta1: betas.0, beta2: betas.1,
                                eps: try nonNegative(o, "eps", default: 1e-8, function: f),
                                weightDecay: try nonNegative(o, "weight_decay", default: 0, function: f))
            adam.schedule = lr.schedule
            Userdata.push(lua, adam, metatable: OptimizerBinding.metatable); return 1
        } }),
        ("is_optimizer", { guarded($0) { lua in
            lua.push(Userdata.has(lua, 1, metatable: OptimizerBinding.metatable)); return 1
        } }),
    ]

    static let methods: [(String, LuaBody)] = [
        ("step", { guarded($0) { lua in try checkOptimizer(lua).step(); return 0 } }),
        ("zero_grad", { guarded($0) { lua in try checkOptimizer(lua).zeroGrad(); return 0 } }),
    ]

    /// Pushes a settings field's value; false when the optimizer has no such field.
    static func pushField(_ lua: Lua, _ o: Optimizer, _ key: String) -> Bool {
        switch key {
        case "lr": lua.push(o.learningRate)
        case "steps": lua.push(o.stepCount)
        default:
            if let s = o as? SGD {
                switch key {
                case "momentum": lua.push(s.momentum)
                case "weight_decay": lua.push(s.weightDecay)
                case "nesterov": lua.push(s.nesterov)
                default: return false
                }
            } else if let a = o as? Adam {
                switch key {
                case "betas":
                    lua.newTable(array: 2)
                    lua.push(a.beta1); lua.setIndex(-2, 1)
                    lua.push(a.beta2); lua.setIndex(-2, 2)
                case "eps": lua.push(a.eps)
                case "weight_decay": lua.push(a.weightDecay)
                default: return false
                }
            } else {
                return false
            }
        }
        return true
    }

    /// opt.name: a method, a settings field, or nil.
    static let index: LuaBody = { guarded($0) { lua in
        let o = try checkOptimizer(lua)
        guard let key = lua.string(2) else { lua.pushNil(); return 1 }
        lua.pushValue(2)
        if lua_rawget(lua.L, dyn_upvalueindex(2)) != LUA_TNIL { return 1 }
        lua.pop()
        if !pushField(lua, o, key) { lua.pushNil() }
        return 1
    } }

    /// opt.lr = v; every other field is read-only.
    static let newindex: LuaBody = { guarded($0) { lua in
        let o = try checkOptimizer(lua)
        let key = lua.string(2) ?? lua.typeName(2)
        guard key == "lr" else {
            if pushField(lua, o, key) {
                throw LuaFailure.message("\(name(o)): field '\(key)' is read-only (only lr can be changed)")
            }
            throw LuaFailure.message("\(name(o)): no field '\(key)' (only lr can be set)")
        }
        // A number replaces any schedule; a function or an optim.schedule becomes the schedule.
        // (opt.lr then reads the rate of the last step taken until the next step.)
        let lr = try RateScheduleModule.learningRate(lua, 3, function: name(o))
        if lr.schedule == nil { o.learningRate = lr.rate }
        o.schedule = lr.schedule
        return 0
    } }

    static let metamethods: [(String, LuaBody)] = [
        ("__newindex", newindex),
        ("__tostring", { guarded($0) { lua in
            guard case .object(let o) = Userdata.get(lua, 1, metatable: OptimizerBinding.metatable, as: Optimizer.self) else {
                lua.push("optimizer (closed)"); return 1
            }
            let t = ScheduleModule.numberText
            let lr = o.schedule?.text ?? t(o.learningRate)
            if let s = o as? SGD {
                lua.push("optim.SGD{lr=\(lr), momentum=\(t(s.momentum)), weight_decay=\(t(s.weightDecay)), nesterov=\(s.nesterov)}")
            } else if let a = o as? Adam {
                lua.push("optim.Adam{lr=\(lr), betas={\(t(a.beta1)), \(t(a.beta2))}, eps=\(t(a.eps)), weight_decay=\(t(a.weightDecay))}")
            } else {
                lua.push("optimizer")
            }
            return 1
        } }),
        ("__gc", { guarded($0) { lua in Userdata.release(lua, 1, metatable: OptimizerBinding.metatable, as: Optimizer.self); return 0 } }),
        ("__close", { guarded($0) { lua in Userdata.release(lua, 1, metatable: OptimizerBinding.metatable, as: Optimizer.self); return 0 } }),
    ]

    static func register(_ lua: Lua) {
        lua.registerMetatable(OptimizerBinding.metatable, metamethods: metamethods, methods: methods, index: index)
        lua.newTable()
        lua.setFunctions(-1, functions)
        RateScheduleModule.register(lua)
        lua.setField(-2, "schedule")
    }
}

import CLua
import CLuaShim
import DynCore

public enum RateScheduleBinding {
    public static let metatable = "dynlua.lr_schedule"
}

/// A learning rate written in Lua: `fn(step)` returns the rate of that optimizer step, called
/// once per step through `LuaCallback` (lua_pcall); errors name the step.
final class LuaRateSchedule: LearningRateSchedule {
    let callback: LuaCallback
    init(_ callback: LuaCallback) { self.callback = callback }

    var text: String { "function" }

    func rate(step: Int) throws -> Double {
        do {
            return try callback.call(results: 1, pushArguments: { lua in lua.push(step); return 1 }) { lua in
                guard let v = lua.number(-1), lua_type(lua.L, -1) == LUA_TNUMBER else {
                    throw TensorError("\(callback.name): the lr function returned \(lua.typeName(-1)) at step \(step) (expected a finite number >= 0)")
                }
                return v
            }
        } catch let e as LuaCallbackError {
            throw TensorError("\(callback.name): error in the lr function at step \(step): \(e.message)")
        }
    }
}

/// `optim.schedule.*`: built-in learning-rate schedules (evaluated in Swift, no Lua call per
/// step), callable as `s(step)`; and the reading of an optimizer's `lr` (a number, a function of
/// the step or a schedule).
enum RateScheduleModule {
    static func check(_ lua: Lua, _ i: Int32) throws -> BuiltinRateSchedule {
        switch Userdata.get(lua, i, metatable: RateScheduleBinding.metatable, as: BuiltinRateSchedule.self) {
        case .object(let s): return s
        case .closed: throw LuaFailure.argument(i, "learning-rate schedule has been closed")
        case .otherType: throw lua.typeError(i, expected: "learning-rate schedule")
        }
    }

    /// The lr value at index i: a number (no schedule), a Lua function or a built-in schedule.
    static func learningRate(_ lua: Lua, _ i: Int32, function: String) throws -> (rate: Double, schedule: LearningRateSchedule?) {
        if lua.isFunction(i) {
            return (0, LuaRateSchedule(LuaCallback(lua, function: i, name: function)))
        }
        if Userdata.has(lua, i, metatable: RateScheduleBinding.metatable) {
            let s = try check(lua, i)
            return (try s.rate(step: 1), s)
        }
        guard lua_type(lua.L, i) == LUA_TNUMBER, let v = lua.number(i), v.isFinite, v >= 0 else {
            let got = lua_type(lua.L, i) == LUA_TNUMBER ? ScheduleModule.numberText(lua.number(i) ?? .nan) : lua.typeName(i)
            throw LuaFailure.message("\(function): lr must be a finite number >= 0, a function of the step or an optim.schedule, got \(got)")
        }
        return (v, nil)
    }

    static let shapeOptions = ["lr", "warmup"]

    static func make(_ lua: Lua, _ function: String, allowed: [String], _ shape: (Options) throws -> BuiltinRateSchedule.Shape) throws -> Int32 {
        guard lua.isTable(1) else { throw lua.typeError(1, expected: "options table") }
        let o = try Options(lua, 1, function: function, allowed: shapeOptions + allowed)
        guard let lr = try o.number("lr") else { throw LuaFailure.message("\(function): option 'lr' is required") }
        let s = try BuiltinRateSchedule(lr: lr, warmup: try o.integer("warmup", default: 0), shape: try shape(o), function: function)
        Userdata.push(lua, s, metatable: RateScheduleBinding.metatable)
        return 1
    }

    static func required(_ o: Options, _ name: String, _ function: String) throws -> Int {
        guard let v = try o.integer(name) else { throw LuaFailure.message("\(function): option '\(name)' is required") }
        return v
    }

    static let functions: [(String, LuaBody)] = [
        ("constant", { guarded($0) { lua in try make(lua, "optim.schedule.constant", allowed: []) { _ in .constant } } }),
        ("cosine", { guarded($0) { lua in
            let f = "optim.schedule.cosine"
            return try make(lua, f, allowed: ["steps", "final"]) { o in
                .cosine(steps: try required(o, "steps", f), final: try o.number("final", default: 0))
            }
        } }),
        ("step", { guarded($0) { lua in
            let f = "optim.schedule.step"
            return try make(lua, f, allowed: ["every", "milestones", "gamma"]) { o in
                let gamma = try o.number("gamma", default: 0.1)
                let every = try o.integer("every")
                let milestones: [Int]? = try o.with("milestones") {
                    if lua.isNoneOrNil(-1) { return nil }
                    guard lua.isTable(-1) else { throw LuaFailure.message("\(f): option 'milestones' must be a table of steps, got \(lua.typeName(-1))") }
                    return try lua.checkNumberList(-1, what: "milestones").map {
                        guard $0 == $0.rounded(), abs($0) < 1e15 else {
                            throw LuaFailure.message("\(f): milestones must be integers, got \(ScheduleModule.numberText($0))")
                        }
                        return Int($0)
                    }
                }
                switch (every, milestones) {
                case (let e?, nil): return .stepEvery(every: e, gamma: gamma)
                case (nil, let m?): return .milestones(m, gamma: gamma)
                default: throw LuaFailure.message("\(f): give exactly one of 'every' and 'milestones'")
                }
            }
        } }),
        ("is_schedule", { guarded($0) { lua in
            lua.push(Userdata.has(lua, 1, metatable: RateScheduleBinding.metatable)); return 1
        } }),
    ]

    static let metamethods: [(String, LuaBody)] = [
        ("__call", { guarded($0) { lua in
            let s = try check(lua, 1)
            guard let step = lua.integer(2), step >= 1 else {
                throw LuaFailure.message("optim.schedule: step must be an integer >= 1, got \(lua.number(2).map { ScheduleModule.numberText($0) } ?? lua.typeName(2))")
            }
            lua.push(try s.rate(step: step)); return 1
        } }),
        ("__tostring", { guarded($0) { lua in
            switch Userdata.get(lua, 1, metatable: RateScheduleBinding.metatable, as: BuiltinRateSchedule.self) {
            case .object(let s): lua.push(s.text)
            default: lua.push("learning-rate schedule (closed)")
            }
            return 1
        } }),
        ("__gc", { guarded($0) { lua in Userdata.release(lua, 1, metatable: RateScheduleBinding.metatable, as: BuiltinRateSchedule.self); return 0 } }),
        ("__close", { guarded($0) { lua in Userdata.release(lua, 1, metatable: RateScheduleBinding.metatable, as: BuiltinRateSchedule.self); return 0 } }),
    ]

    /// Pushes the `optim.schedule` table.
    static func register(_ lua: Lua) {
        lua.registerMetatable(RateScheduleBinding.metatable, metamethods: metamethods, methods: [])
        lua.newTable()
        lua.setFunctions(-1, functions)
    }
}

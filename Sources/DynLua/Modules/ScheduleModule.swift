import CLua
import CLuaShim
import DynCore

/// The `schedule` table: class weights over training steps. A schedule is a callable
/// userdata: `s(step)` gives a float64 tensor of C weights, `s:focus(step)` the emphasized
/// class (1-based, nil when none), `s:classes()` the number of classes.
enum ScheduleModule {
    static func push(_ lua: Lua, _ schedule: any WeightSchedule, text: String) {
        Userdata.push(lua, ScheduleHandle(schedule, text: text), metatable: ScheduleBinding.metatable)
    }

    /// The options of triangular and sine, checked and turned into a FocusCycle.
    static func cycle(_ lua: Lua, function: String) throws -> (FocusCycle, String) {
        try lua.checkTable(1)
        let o = try Options(lua, 1, function: function,
                            allowed: ["classes", "amplitude", "period", "normalize", "static_after"])
        func required<T>(_ name: String, _ v: T?) throws -> T {
            guard let v else { throw LuaFailure.message("\(function): option '\(name)' is required") }
            return v
        }
        let classes = try required("classes", try o.integer("classes"))
        let amplitude = try required("amplitude", try o.number("amplitude"))
        let period = try required("period", try o.integer("period"))
        let normalize = try o.boolean("normalize", default: true)
        let staticAfter = try o.integer("static_after")
        let c = try FocusCycle(classes: classes, amplitude: amplitude, period: period, normalize: normalize,
                               staticAfter: staticAfter, function: function)
        var text = "\(function){classes=\(classes), amplitude=\(numberText(amplitude)), period=\(period), normalize=\(normalize)"
        if let s = staticAfter { text += ", static_after=\(s)" }
        return (c, text + "}")
    }

    static let functions: [(String, LuaBody)] = [
        ("constant", { guarded($0) { lua in
            let c = try lua.checkInteger(1)
            guard c >= 1 else { throw LuaFailure.argument(1, "number of classes must be >= 1, got \(c)") }
            push(lua, try ConstantSchedule(classes: c), text: "schedule.constant(\(c))"); return 1
        } }),
        ("triangular", { guarded($0) { lua in
            let (c, text) = try cycle(lua, function: "schedule.triangular")
            push(lua, TriangularSchedule(c), text: text); return 1
        } }),
        ("sine", { guarded($0) { lua in
            let (c, text) = try cycle(lua, function: "schedule.sine")
            push(lua, SineSchedule(c), text: text); return 1
        } }),
        ("custom", { guarded($0) { lua in
            guard lua.isFunction(1) else { throw lua.typeError(1, expected: "function") }
            let o = try Options(lua, 2, function: "schedule.custom", allowed: ["classes"])
            let classes = try o.integer("classes")
            if let c = classes, c < 1 { throw LuaFailure.message("schedule.custom: option 'classes' must be >= 1, got \(c)") }
            let f = LuaFunctionSchedule(LuaCallback(lua, function: 1, name: "schedule.custom"), classes: classes)
            push(lua, f, text: "schedule.custom" + (classes.map { "{classes=\($0)}" } ?? "()")); return 1
        } }),
        ("is_schedule", { guarded($0) { lua in
            lua.push(Userdata.has(lua, 1, metatable: ScheduleBinding.metatable)); return 1
        } }),
    ]

    static func checkHandle(_ lua: Lua) throws -> ScheduleHandle {
        switch Userdata.get(lua, 1, metatable: ScheduleBinding.metatable, as: ScheduleHandle.self) {
        case .object(let h): return h
        case .closed: throw LuaFailure.argument(1, "schedule has been closed")
        case .otherType: throw lua.typeError(1, expected: "schedule")
        }
    }

    /// The step argument at i: an integer >= 1.
    static func checkStep(_ lua: Lua, _ i: Int32) throws -> Int {
        guard let step = lua.integer(i), step >= 1 else {
            throw LuaFailure.message("schedule: step must be an integer >= 1, got \(lua.number(i).map { numberText($0) } ?? lua.typeName(i))")
        }
        return step
    }

    static let methods: [(String, LuaBody)] = [
        ("focus", { guarded($0) { lua in
            let h = try checkHandle(lua)
            if let c = try h.schedule.focus(step: try checkStep(lua, 2)) { lua.push(c + 1) } else { lua.pushNil() }
            return 1
        } }),
        ("classes", { guarded($0) { lua in
            let c = try checkHandle(lua).schedule.classes
            if c > 0 { lua.push(c) } else { lua.pushNil() }
            return 1
        } }),
    ]

    static let metamethods: [(String, LuaBody)] = [
        ("__call", { guarded($0) { lua in
            let h = try checkHandle(lua)
            let step = try checkStep(lua, 2)
            if let f = h.schedule as? LuaFunctionSchedule {
                let w = try f.weightArray(step: step)
                lua.push(try Tensor(shape: [w.count], values: w)); return 1
            }
            lua.push(try h.schedule.weightsTensor(step: step)); return 1
        } }),
        ("__tostring", { guarded($0) { lua in
            switch Userdata.get(lua, 1, metatable: ScheduleBinding.metatable, as: ScheduleHandle.self) {
            case .object(let h): lua.push(h.text)
            default: lua.push("schedule (closed)")
            }
            return 1
        } }),
        ("__gc", { guarded($0) { lua in Userdata.release(lua, 1, metatable: ScheduleBinding.metatable, as: ScheduleHandle.self); return 0 } }),
        ("__close", { guarded($0) { lua in Userdata.release(lua, 1, metatable: ScheduleBinding.metatable, as: ScheduleHandle.self); return 0 } }),
    ]

    static func register(_ lua: Lua) {
        lua.registerMetatable(ScheduleBinding.metatable, metamethods: metamethods, methods: methods)
        lua.newTable()
        lua.setFunctions(-1, functions)
    }
}

extension ScheduleModule {
    /// A number as a short text for tostring ("70", "0.5").
    static func numberText(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
        return "\(v)"
    }
}

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

    /// The options every periodic schedule shares, checked and turned into a FocusCycle, and
    /// the start of its tostring text (the caller appends its own options and the brace).
    /// `extra` names the caller's further options, `order` reads the focus order from them.
    static func cycle(_ lua: Lua, function: String, extra: [String] = [],
                      order: (Options) throws -> FocusOrder = { _ in .cycling }) throws -> (FocusCycle, String, Options) {
        try lua.checkTable(1)
        let o = try Options(lua, 1, function: function,
                            allowed: ["classes", "amplitude", "period", "normalize", "static_after"] + extra)
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
                               staticAfter: staticAfter, order: try order(o), function: function)
        var text = "\(function){classes=\(classes), amplitude=\(numberText(amplitude)), period=\(period), normalize=\(normalize)"
        if let s = staticAfter { text += ", static_after=\(s)" }
        return (c, text, o)
    }

    /// The square wave's `duty` (default 1/2), checked by SquareSchedule.
    static func square(_ c: FocusCycle, _ o: Options, function: String) throws -> (SquareSchedule, String) {
        let duty = try o.number("duty", default: 0.5)
        return (try SquareSchedule(c, duty: duty, function: function), ", duty=\(numberText(duty))")
    }

    /// schedule.random: a seeded class per period, with the bump of `shape`.
    static func random(_ lua: Lua) throws -> (any WeightSchedule, String) {
        let function = "schedule.random"
        var seed: UInt64 = 0
        let (c, text, o) = try cycle(lua, function: function, extra: ["seed", "shape", "duty"]) { o in
            seed = try o.seed()
            return .random(seed: seed)
        }
        let shape = try o.string("shape") ?? "triangular"
        var tail = ", seed=\(Int64(bitPattern: seed)), shape=\"\(shape)\""
        if shape != "square" && o.has("duty") {
            throw LuaFailure.message("\(function): option 'duty' applies to shape = \"square\" only")
        }
        let schedule: any WeightSchedule
        switch shape {
        case "triangular": schedule = TriangularSchedule(c)
        case "sine": schedule = SineSchedule(c)
        case "square":
            let (s, duty) = try square(c, o, function: function)
            schedule = s; tail += duty
        default:
            throw LuaFailure.message("\(function): option 'shape' must be \"triangular\", \"sine\" or \"square\", got \"\(shape)\"")
        }
        return (schedule, text + tail + "}")
    }

    static let functions: [(String, LuaBody)] = [
        ("constant", { guarded($0) { lua in
            let c = try lua.checkInteger(1)
            guard c >= 1 else { throw LuaFailure.argument(1, "number of classes must be >= 1, got \(c)") }
            push(lua, try ConstantSchedule(classes: c), text: "schedule.constant(\(c))"); return 1
        } }),
        ("triangular", { guarded($0) { lua in
            let (c, text, _) = try cycle(lua, function: "schedule.triangular")
            push(lua, TriangularSchedule(c), text: text + "}"); return 1
        } }),
        ("sine", { guarded($0) { lua in
            let (c, text, _) = try cycle(lua, function: "schedule.sine")
            push(lua, SineSchedule(c), text: text + "}"); return 1
        } }),
        ("square", { guarded($0) { lua in
            let (c, text, o) = try cycle(lua, function: "schedule.square", extra: ["duty"])
            let (s, duty) = try square(c, o, function: "schedule.square")
            push(lua, s, text: text + duty + "}"); return 1
        } }),
        ("random", { guarded($0) { lua in
            let (s, text) = try random(lua)
            push(lua, s, text: text); return 1
        } }),
        ("custom", { guarded($0) { lua in
            guard lua.isFunction(1) else { throw lua.typeError(1, expected: "function") }
            let function = "schedule.custom"
            let o = try Options(lua, 2, function: function, allowed: ["classes", "normalize", "static_after"])
            let classes = try o.integer("classes")
            if let c = classes, c < 1 { throw LuaFailure.message("\(function): option 'classes' must be >= 1, got \(c)") }
            let normalize = try o.boolean("normalize", default: false)
            let staticAfter = try o.integer("static_after")
            if let s = staticAfter, s < 1 { throw LuaFailure.message("\(function): static_after must be >= 1, got \(s)") }
            let f = LuaFunctionSchedule(LuaCallback(lua, function: 1, name: function), classes: classes,
                                        normalize: normalize, staticAfter: staticAfter)
            var fields: [String] = []
            if let c = classes { fields.append("classes=\(c)") }
            if normalize { fields.append("normalize=true") }
            if let s = staticAfter { fields.append("static_after=\(s)") }
            push(lua, f, text: function + (fields.isEmpty ? "()" : "{" + fields.joined(separator: ", ") + "}")); return 1
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
            if let f = h.schedule as? LuaFunctionSchedule { lua.push(try f.resultTensor(step: step)); return 1 }
            lua.push(try h.schedule.weightsTensor(step: step)); return 1
        } }),
        ("__mul", { guarded($0) { lua in
            // s1 * s2, s * x, x * s.
            func operand(_ i: Int32) throws -> ScheduleHandle? {
                if lua.isNumber(i) { return nil }
                switch Userdata.get(lua, i, metatable: ScheduleBinding.metatable, as: ScheduleHandle.self) {
                case .object(let h): return h
                case .closed: throw LuaFailure.argument(i, "schedule has been closed")
                case .otherType: throw lua.typeError(i, expected: "schedule or number")
                }
            }
            let (x, y) = (try operand(1), try operand(2))
            let product: ProductSchedule, text: String
            switch (x, y) {
            case let (x?, y?):
                product = try ProductSchedule(x.schedule, y.schedule)
                text = "(\(x.text)) * (\(y.text))"
            case let (x?, nil), let (nil, x?):
                let factor = lua.number(lua.isNumber(1) ? 1 : 2) ?? 1  // the operand that is no schedule
                product = try ProductSchedule(x.schedule, nil, factor: factor)
                text = "(\(x.text)) * \(numberText(factor))"
            case (nil, nil):
                throw lua.typeError(1, expected: "schedule")  // two numbers: only from a direct call
            }
            // Nested products shown in full up to a length, then summarized.
            push(lua, product, text: text.count <= 400 ? text : "schedule product of \(product.factorCount) schedules"); return 1
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

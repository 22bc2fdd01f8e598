import CLua
import CLuaShim
import DynCore

/// A schedule userdata's Swift side: the DynCore schedule and how `tostring` shows it.
final class ScheduleHandle {
    let schedule: any WeightSchedule
    let text: String
    init(_ schedule: any WeightSchedule, text: String) {
        self.schedule = schedule
        self.text = text
    }
}

public enum ScheduleBinding {
    public static let metatable = "dynlua.schedule"
}

/// A schedule written in Lua: `fn(step)` returns a table or 1-D tensor of C weights.
///
/// Each call goes through `LuaCallback` (lua_pcall). The result is read with raw gets into a
/// scratch array that is reused, so after the first call no Swift memory is allocated. Every
/// weight must be a finite number >= 0 (a negative weight would make the loss unbounded
/// below). The class count is the `classes` given at creation, or else fixed by the first
/// result; later results must have the same count. Errors name the step.
/// `normalize` and `staticAfter` mean what they mean for the built-ins (FocusCycle): weights
/// scaled to sum to C, and all ones from that step on (without calling the function).
public final class LuaFunctionSchedule: WeightSchedule {
    public let callback: LuaCallback
    /// 0 until known.
    public private(set) var classes: Int
    public let normalize: Bool
    public let staticAfter: Int?
    private var scratch: [Double] = []

    public init(_ callback: LuaCallback, classes: Int? = nil, normalize: Bool = false, staticAfter: Int? = nil) {
        self.callback = callback
        self.classes = classes ?? 0
        self.normalize = normalize
        self.staticAfter = staticAfter
    }

    func isStatic(_ step: Int) -> Bool { staticAfter.map { step >= $0 } ?? false }

    /// w / sum(w) * C, the sum in class order (as FocusCycle.fill).
    private func normalizeScratch(step: Int) throws {
        var sum = 0.0
        for v in scratch { sum += v }
        guard sum > 0, sum.isFinite else {
            throw fail(step, "the weights sum to \(valueText(sum)); normalize = true needs a finite positive sum")
        }
        let n = Double(scratch.count)
        for k in 0..<scratch.count { scratch[k] = scratch[k] / sum * n }
    }

    func fail(_ step: Int, _ what: String) -> TensorError {
        TensorError("\(callback.name): at step \(step), \(what)")
    }

    /// Calls fn(step) and leaves the checked weights in `scratch`.
    func evaluate(step: Int) throws {
        guard step >= 1 else { throw TensorError("schedule: step must be >= 1, got \(step)") }
        scratch.removeAll(keepingCapacity: true)
        do {
            try callback.call(results: 1, pushArguments: { lua in lua.push(step); return 1 }) { lua in
                try read(lua, step: step)
            }
        } catch let e as LuaCallbackError {
            throw LuaCallbackError(message: "\(callback.name): error in the schedule function at step \(step): \(e.message)")
        }
        if classes == 0 {
            guard !scratch.isEmpty else { throw fail(step, "the function returned no weights") }
            classes = scratch.count
        } else if scratch.count != classes {
            throw fail(step, "the function returned \(scratch.count) weights, expected \(classes) (one per class)")
        }
        if normalize { try normalizeScratch(step: step) }
    }

    private func read(_ lua: Lua, step: Int) throws {
        func accept(_ k: Int, _ v: Double) throws {
            guard v.isFinite, v >= 0 else { throw fail(step, "weight \(k) is \(v), expected a finite number >= 0") }
            scratch.append(v)
        }
        if let t = lua.tensor(-1) {
            guard t.rank == 1 else { throw fail(step, "the function returned a tensor of shape \(shapeText(t.shape)), expected a 1-D tensor of weights") }
            for k in 0..<t.shape[0] {
                let o = t.offset + k * t.strides[0]
                switch t.dtype {
                case .float64: try accept(k + 1, t.storage.pointer(Double.self)[o])
                case .float32: try accept(k + 1, Double(t.storage.pointer(Float.self)[o]))
                }
            }
            return
        }
        guard lua.isTable(-1) else {
            throw fail(step, "the function returned a \(lua.typeName(-1)), expected a table or tensor of weights")
        }
        let n = lua.rawLength(-1)
        for k in 1...max(n, 1) where k <= n {
            lua.getIndex(-1, k)
            defer { lua.pop() }
            guard let v = lua.number(-1) else { throw fail(step, "weight \(k) is a \(lua.typeName(-1)), expected a number") }
            try accept(k, v)
        }
    }

    public func weights(step: Int, into w: UnsafeMutableBufferPointer<Double>) throws {
        if classes != 0 && w.count != classes {
            throw TensorError("\(callback.name): weight buffer holds \(w.count) values, expected \(classes)")
        }
        if isStatic(step) {
            for k in 0..<w.count { w[k] = 1 }
            return
        }
        try evaluate(step: step)
        guard scratch.count == w.count else {
            throw fail(step, "the function returned \(scratch.count) weights, expected \(w.count) (one per class)")
        }
        for k in 0..<w.count { w[k] = scratch[k] }
    }

    /// The weights of `step` as a new array, whatever their count (for `s(step)`).
    func resultTensor(step: Int) throws -> Tensor {
        if isStatic(step) {
            guard classes > 0 else {
                throw fail(step, "the weights are static (all ones) but the number of classes is not known yet (give classes = C)")
            }
            return try Tensor(filled: 1, shape: [classes])  // the checked path: classes comes from the script
        }
        try evaluate(step: step)
        return try Tensor(shape: [scratch.count], values: scratch)
    }

    /// The class with the largest weight (the first on ties), nil when all weights are equal
    /// or from `static_after` on.
    public func focus(step: Int) throws -> Int? {
        if isStatic(step) { return nil }
        try evaluate(step: step)
        guard let hi = scratch.max(), let lo = scratch.min(), hi > lo else { return nil }
        return scratch.firstIndex(of: hi)
    }
}

extension Lua {
    /// The schedule userdata at i, or nil.
    func scheduleHandle(_ i: Int32) -> ScheduleHandle? {
        if case .object(let h) = Userdata.get(self, i, metatable: ScheduleBinding.metatable, as: ScheduleHandle.self) {
            return h
        }
        return nil
    }

    /// What every API that takes "a schedule" accepts: a schedule userdata, or any Lua
    /// function of the step returning C weights (wrapped as a `LuaFunctionSchedule` that
    /// calls it through lua_pcall). `classes`, when the caller knows it, fixes the count a
    /// Lua function must return.
    public func checkSchedule(_ i: Int32, classes: Int? = nil, name: String = "weights") throws -> any WeightSchedule {
        if isFunction(i) {
            return LuaFunctionSchedule(LuaCallback(self, function: i, name: name), classes: classes)
        }
        switch Userdata.get(self, i, metatable: ScheduleBinding.metatable, as: ScheduleHandle.self) {
        case .object(let h): return h.schedule
        case .closed: throw LuaFailure.argument(i, "schedule has been closed")
        case .otherType: throw typeError(i, expected: "schedule or function")
        }
    }
}

import CLua
import CLuaShim
import DynCore

/// Loss (criterion) userdata: forward, backward and the fused evaluate all go through
/// `Loss.evaluate`, the same single pass the native training loop uses.
public enum LossBinding {
    public static let metatable = "dynlua.loss"
}

extension Lua {
    public func push(_ loss: Loss) { Userdata.push(self, loss, metatable: LossBinding.metatable) }

    public func checkLoss(_ i: Int32) throws -> Loss {
        switch Userdata.get(self, i, metatable: LossBinding.metatable, as: Loss.self) {
        case .object(let l): return l
        case .closed: throw LuaFailure.argument(i, "loss has been closed")
        case .otherType: throw typeError(i, expected: "loss")
        }
    }

    /// Class labels 1..C for `output` from argument i (1-D tensor or table), as 0-based Ints;
    /// errors name the row and the value.
    public func checkLabels(_ i: Int32, for output: Tensor, loss: Loss) throws -> [Int] {
        try loss.labels(fromOneBased: try checkNumberList(i, what: "labels"), for: output)
    }
}

enum NNLossMethods {
    /// Class weights from the value at `i` (tensor or table of numbers); errors say `op`.
    static func weightList(_ lua: Lua, _ i: Int32, op: String) throws -> [Double] {
        if let t = lua.tensor(i) {
            guard t.rank == 1 else { throw LuaFailure.message("\(op): weights must be 1-D, got shape \(shapeText(t.shape))") }
            return t.toArray()
        }
        guard lua.isTable(i) else { throw LuaFailure.message("\(op): weights must be a table or tensor of numbers, got \(lua.typeName(i))") }
        var out: [Double] = []
        try lua.forEachArrayItem(i) { k in
            guard let v = lua.number(-1) else { throw LuaFailure.message("\(op): weight \(k) must be a number, got \(lua.typeName(-1))") }
            out.append(v)
        }
        return out
    }

    static let methods: [(String, LuaBody)] = [
        ("forward", { guarded($0) { lua in
            let loss = try lua.checkLoss(1)
            let out = try lua.checkTensor(2)
            let y = try lua.checkLabels(3, for: out, loss: loss)
            // Under autograd.grad a tracked output gives a 0-d tensor on the tape.
            if let tape = Tape.recording, tape.isTracked(out) { lua.push(try tape.loss(loss, out, labels: y)); return 1 }
            lua.push(try loss.forward(out, labels: y)); return 1
        } }),
        ("backward", { guarded($0) { lua in
            let loss = try lua.checkLoss(1)
            let out = try lua.checkTensor(2)
            lua.push(try loss.backward(out, labels: try lua.checkLabels(3, for: out, loss: loss))); return 1
        } }),
        ("evaluate", { guarded($0) { lua in
            let loss = try lua.checkLoss(1)
            let out = try lua.checkTensor(2)
            let y = try lua.checkLabels(3, for: out, loss: loss)
            let given = !lua.isNoneOrNil(4)
            let g = given ? try lua.checkTensor(4) : try Tensor(uninitialized: out.shape, dtype: out.dtype)
            let e = try loss.evaluate(out, labels: y, gradient: g)
            lua.setTop(4)
            lua.push(e.loss)
            lua.push(e.weightedLoss)
            lua.push(e.correct)
            if given { lua.pushValue(4) } else { lua.push(g) }
            return 4
        } }),
        ("set_weights", { guarded($0) { lua in
            let loss = try lua.checkLoss(1)
            if lua.isNoneOrNil(2) {
                try loss.setWeights(nil as [Double]?)
            } else if let t = lua.tensor(2) {
                try loss.setWeights(t)
            } else {
                try loss.setWeights(try weightList(lua, 2, op: "set_weights"))
            }
            lua.pushValue(1); return 1
        } }),
        ("weights", { guarded($0) { lua in
            if let t = try lua.checkLoss(1).weightsTensor() { lua.push(t) } else { lua.pushNil() }
            return 1
        } }),
    ]

    static let metamethods: [(String, LuaBody)] = [
        ("__tostring", { guarded($0) { lua in
            switch Userdata.get(lua, 1, metatable: LossBinding.metatable, as: Loss.self) {
            case .object(let l): lua.push(l.description)
            default: lua.push("loss (closed)")
            }
            return 1
        } }),
        ("__gc", { guarded($0) { lua in Userdata.release(lua, 1, metatable: LossBinding.metatable, as: Loss.self); return 0 } }),
        ("__close", { guarded($0) { lua in Userdata.release(lua, 1, metatable: LossBinding.metatable, as: Loss.self); return 0 } }),
    ]

    static func registerMetatable(_ lua: Lua) {
        lua.registerMetatable(LossBinding.metatable, metamethods: metamethods, methods: methods)
    }
}

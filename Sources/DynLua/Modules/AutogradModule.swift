import CLua
import CLuaShim
import DynCore

/// The `autograd` table: `autograd.grad(f [, {argnum = 1}])` returns a function that runs f with
/// its differentiated argument tracked (a Tape recording every tensor operation on it) and
/// returns the gradient, shaped like that argument, then f's value.
enum AutogradModule {
    static let functions: [(String, LuaBody)] = [
        ("grad", { guarded($0) { lua in
            guard lua.isFunction(1) else { throw lua.typeError(1, expected: "function") }
            let o = try Options(lua, 2, function: "autograd.grad", allowed: ["argnum"])
            let argnum = try o.integer("argnum", default: 1)
            guard argnum >= 1 && argnum <= 250 else {
                throw LuaFailure.message("autograd.grad: option 'argnum' must be an argument position in 1..250, got \(argnum)")
            }
            lua.pushValue(1)
            lua.push(argnum)
            lua.push(gradient, upvalues: 2)
            return 1
        } }),
    ]

    /// The function autograd.grad returns; upvalue 2 is f, upvalue 3 the argument position.
    static let gradient: LuaBody = { guarded($0) { lua in
        guard Tape.recording == nil else {
            throw LuaFailure.message("autograd.grad: a gradient function was called while another one runs its f; nested gradients are not supported")
        }
        let argnum = Int32(lua.integer(dyn_upvalueindex(3)) ?? 1)
        let nargs = lua.top
        guard argnum <= nargs, lua.isTensor(argnum) || lua.isTable(argnum) else {
            throw LuaFailure.argument(argnum, "the differentiated argument must be a tensor or a table of tensors, got \(lua.typeName(argnum))")
        }
        guard lua.ensureStack(nargs + 24) else { throw LuaFailure.message("autograd.grad: Lua stack overflow") }
        let tape = Tape()
        var leaves: [Tensor] = []
        if lua.isTensor(argnum) {
            let t = try lua.checkTensor(argnum)  // a closed tensor is an error here
            let leaf = tape.watch(t)
            leaves.append(leaf)
            lua.push(leaf)
            lua.push(leaf)
        } else {
            var seen = Set<UnsafeRawPointer>()
            try mirror(lua, argnum, tape, &leaves, &seen, path: "argument \(argnum)")
        }
        let given = lua.top - 1, skeleton = lua.top
        // f(args...) with the tracked copy in place of the differentiated argument; f's own error
        // message passes through unchanged.
        lua.pushValue(dyn_upvalueindex(2))
        for i in 1...nargs { lua.pushValue(i == argnum ? given : i) }
        Tape.recording = tape
        let status = dyn_pcall(lua.L, nargs, 1, 0)
        Tape.recording = nil
        guard status == LUA_OK else {
            throw LuaFailure.message(lua.string(-1) ?? "(error object is a \(lua.typeName(-1)) value)")
        }
        guard let out = lua.tensor(-1) else {
            if lua.isNumber(-1) {
                throw LuaFailure.message("autograd.grad: f returned a plain number, which the gradient cannot follow; return the tensor instead (inside f a full reduction such as x:sum() is a 0-d tensor; :item(), :get() and math.* leave the gradient path)")
            }
            throw LuaFailure.message("autograd.grad: f must return a scalar tensor, got a \(lua.typeName(-1))")
        }
        guard out.count == 1 else {
            throw LuaFailure.message("autograd.grad: f must return a scalar (one element), got a tensor of shape \(shapeText(out.shape))")
        }
        let grads = try tape.gradients(of: out, leaves: leaves)
        let value = try out.item()
        if lua.isTensor(argnum) {
            lua.push(grads[0])
        } else {
            var byLeaf: [ObjectIdentifier: Tensor] = [:]
            for (leaf, g) in zip(leaves, grads) { byLeaf[ObjectIdentifier(leaf)] = g }
            fill(lua, skeleton, byLeaf)
            lua.pushValue(skeleton)
        }
        lua.push(value)
        return 2
    } }

    /// Pushes two tables mirroring the table at `index`: the one f receives (each tensor replaced
    /// by a tracked leaf) and a skeleton holding the same leaves, later replaced by gradients.
    static func mirror(_ lua: Lua, _ index: Int32, _ tape: Tape, _ leaves: inout [Tensor],
                       _ seen: inout Set<UnsafeRawPointer>, path: String) throws {
        let t = lua.absolute(index)
        guard let p = lua_topointer(lua.L, t), seen.insert(p).inserted else {
            throw LuaFailure.message("autograd.grad: \(path) appears twice in the differentiated argument (a table inside it is shared or contains itself)")
        }
        guard seen.count <= 10_000, lua.ensureStack(12) else {
            throw LuaFailure.message("autograd.grad: the differentiated argument has too many nested tables (more than 10000)")
        }
        lua.newTable()
        let copy = lua.top
        lua.newTable()
        let skeleton = lua.top
        lua.pushNil()
        while lua_next(lua.L, t) != 0 {
            let key = keyText(lua, -2)
            if let x = lua.tensor(-1) {
                let leaf = tape.watch(x)
                leaves.append(leaf)
                lua.pushValue(-2); lua.push(leaf); lua_rawset(lua.L, copy)
                lua.pushValue(-2); lua.push(leaf); lua_rawset(lua.L, skeleton)
            } else if lua.isTable(-1) {
                try mirror(lua, -1, tape, &leaves, &seen, path: "\(path).\(key)")
                lua.pushValue(-4); lua.pushValue(-3); lua_rawset(lua.L, copy)
                lua.pushValue(-4); lua.pushValue(-2); lua_rawset(lua.L, skeleton)
                lua.pop(2)
            } else {
                throw LuaFailure.message("autograd.grad: \(path).\(key) is a \(lua.typeName(-1)); the differentiated argument may hold only tensors and tables of them")
            }
            lua.pop()
        }
    }

    /// Replaces every leaf in the skeleton at `index` by its gradient.
    static func fill(_ lua: Lua, _ index: Int32, _ grads: [ObjectIdentifier: Tensor]) {
        let t = lua.absolute(index)
        guard lua.ensureStack(6) else { return }
        lua.pushNil()
        while lua_next(lua.L, t) != 0 {
            if let leaf = lua.tensor(-1), let g = grads[ObjectIdentifier(leaf)] {
                lua.pushValue(-2); lua.push(g); lua_rawset(lua.L, t)
            } else if lua.isTable(-1) {
                fill(lua, -1, grads)
            }
            lua.pop()
        }
    }

    /// A table key as text for messages (without calling lua_tolstring on the key itself).
    static func keyText(_ lua: Lua, _ i: Int32) -> String {
        if let k = lua.integer(i) { return "[\(k)]" }
        if lua.isString(i) { lua.pushValue(i); defer { lua.pop() }; return lua.string(-1) ?? "?" }
        return "[\(lua.typeName(i))]"
    }

    static func register(_ lua: Lua) {
        lua.newTable()
        lua.setFunctions(-1, functions)
    }
}

import CLua
import CLuaShim
import DynCore

/// Methods and metamethods of module userdata (every layer and container).
///
/// forward and backward return new tensors (clones of the module's reused buffers), so a
/// result kept in a Lua variable never changes behind the script's back. The native training
/// loop works on the buffers directly.
enum NNModuleMethods {
    static func checkSequential(_ lua: Lua, _ m: Module, _ op: String) throws -> Sequential {
        guard let s = m as? Sequential else {
            throw LuaFailure.message("\(op): \(m.description.split(separator: "\n")[0]) is not a container")
        }
        return s
    }

    static func pushList(_ lua: Lua, _ tensors: [Tensor]) {
        lua.newTable(array: tensors.count)
        for (k, t) in tensors.enumerated() {
            lua.pushShared(t)
            lua.setIndex(-2, k + 1)
        }
    }

    static let methods: [(String, LuaBody)] = [
        ("forward", { guarded($0) { lua in
            let m = try lua.checkModule(1)
            let x = try lua.checkTensor(2)
            // Under autograd.grad: one tape node when x or a parameter is being differentiated.
            if let tape = Tape.recording, tape.isTracked(x) || tape.watchesAny(m.parameters) {
                lua.push(try tape.forward(m, x)); return 1
            }
            lua.push(try m.forward(x).clone()); return 1
        } }),
        ("backward", { guarded($0) { lua in
            let m = try lua.checkModule(1)
            let x = try lua.checkTensor(2), g = try lua.checkTensor(3)
            lua.push(try m.backward(x, g).clone()); return 1
        } }),
        ("parameters", { guarded($0) { lua in pushList(lua, try lua.checkModule(1).parameters); return 1 } }),
        ("gradients", { guarded($0) { lua in pushList(lua, try lua.checkModule(1).gradients); return 1 } }),
        ("zero_grad", { guarded($0) { lua in try lua.checkModule(1).zeroGrad(); lua.pushValue(1); return 1 } }),
        ("num_parameters", { guarded($0) { lua in lua.push(try lua.checkModule(1).numParameters); return 1 } }),
        ("flat_parameters", { guarded($0) { lua in lua.push(try lua.checkModule(1).flatParameters()); return 1 } }),
        ("flat_gradients", { guarded($0) { lua in lua.push(try lua.checkModule(1).flatGradients()); return 1 } }),
        ("set_flat_parameters", { guarded($0) { lua in
            let m = try lua.checkModule(1)
            try m.setFlatParameters(try lua.checkTensorLike(2))
            lua.pushValue(1); return 1
        } }),
        ("train", { guarded($0) { lua in try lua.checkModule(1).setTraining(true); lua.pushValue(1); return 1 } }),
        ("evaluate", { guarded($0) { lua in try lua.checkModule(1).setTraining(false); lua.pushValue(1); return 1 } }),
        ("is_training", { guarded($0) { lua in lua.push(try lua.checkModule(1).isTraining); return 1 } }),
        ("to", { guarded($0) { lua in
            let m = try lua.checkModule(1)
            guard !lua.isNoneOrNil(2) else { throw lua.typeError(2, expected: "dtype string") }
            try m.convert(to: try lua.optDType(2))
            lua.pushValue(1); return 1
        } }),
        ("dtype", { guarded($0) { lua in lua.push(try lua.checkModule(1).dtype.rawValue); return 1 } }),
        ("save", { guarded($0) { lua in
            try Checkpoint.save(try lua.checkModule(1), path: try lua.checkString(2)); return 0
        } }),
        ("add", { guarded($0) { lua in
            let s = try checkSequential(lua, try lua.checkModule(1), "add")
            try s.add(try lua.checkModule(2))
            lua.pushValue(1); return 1
        } }),
        ("get", { guarded($0) { lua in
            let s = try checkSequential(lua, try lua.checkModule(1), "get")
            let i = try lua.checkInteger(2)
            guard i >= 1 && i <= s.modules.count else {
                throw LuaFailure.argument(2, "index \(i) out of range for a Sequential of \(s.modules.count) modules")
            }
            lua.push(s.modules[i - 1]); return 1
        } }),
        ("size", { guarded($0) { lua in lua.push(try lua.checkModule(1).children.count); return 1 } }),
    ]

    static let metamethods: [(String, LuaBody)] = [
        ("__tostring", { guarded($0) { lua in
            switch Userdata.get(lua, 1, metatable: ModuleBinding.metatable, as: Module.self) {
            case .object(let m): lua.push(m.description)
            default: lua.push("module (closed)")
            }
            return 1
        } }),
        ("__len", { guarded($0) { lua in lua.push(try lua.checkModule(1).children.count); return 1 } }),
        ("__gc", { guarded($0) { lua in Userdata.release(lua, 1, metatable: ModuleBinding.metatable, as: Module.self); return 0 } }),
        ("__close", { guarded($0) { lua in Userdata.release(lua, 1, metatable: ModuleBinding.metatable, as: Module.self); return 0 } }),
        ("__newindex", { guarded($0) { lua in
            let m = try lua.checkModule(1)
            let key = lua.string(2) ?? lua.typeName(2)
            if m.field(key) != nil {
                throw LuaFailure.message("module: cannot assign to field '\(key)'; write into it instead, e.g. m.\(key):copy_(t)")
            }
            throw LuaFailure.message("module: cannot assign to field '\(key)'")
        } }),
    ]

    /// m.name: a method, else a named tensor (lin.weight, lin.bias, lin.grad_weight,
    /// lin.grad_bias), else for nn.Module a field of its definition; seq[i]: the i-th child.
    /// Anything else is nil.
    static let index: LuaBody = { guarded($0) { lua in
        if lua.isString(2) {
            lua.pushValue(2)
            if lua_rawget(lua.L, dyn_upvalueindex(2)) != LUA_TNIL { return 1 }
            lua.pop()
            let m = try lua.checkModule(1)
            if let t = m.field(lua.string(2)!) { lua.pushShared(t); return 1 }
            // nn.Module: the definition's other fields (m.scale), read from its self table.
            if let c = m as? CustomModule, let table = (c.scriptState as? LuaLayer)?.selfTable {
                table.push(lua)
                lua.pushValue(2)
                lua_rawget(lua.L, -2)
                return 1
            }
            lua.pushNil()
            return 1
        }
        let m = try lua.checkModule(1)
        if let i = lua.integer(2), i >= 1, i <= m.children.count { lua.push(m.children[i - 1]) } else { lua.pushNil() }
        return 1
    } }

    static func registerMetatable(_ lua: Lua) {
        lua.registerMetatable(ModuleBinding.metatable, metamethods: metamethods, methods: methods, index: index)
    }
}

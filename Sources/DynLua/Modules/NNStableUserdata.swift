import CLua
import CLuaShim
import DynCore

/// Pushes Swift objects so that the same object always reaches Lua as the same userdata while
/// Lua holds it: `m:parameters()[1] == m.weight` is true, and a table of parameters taken once
/// stays the model's own tensors. A weak-valued registry table maps each object's address to
/// its userdata; an entry whose userdata was closed, or now holds another object, is replaced.
enum StableUserdata {
    static let registryKey = "dynlua.stable"

    static func push<T: AnyObject>(_ lua: Lua, _ object: T, metatable: String) {
        let key = UnsafeRawPointer(Unmanaged.passUnretained(object).toOpaque())
        pushCache(lua)
        if lua_rawgetp(lua.L, -1, key) == LUA_TUSERDATA,
           case .object(let cached) = Userdata.get(lua, -1, metatable: metatable, as: T.self), cached === object {
            dyn_remove(lua.L, -2)
            return
        }
        lua.pop()
        Userdata.push(lua, object, metatable: metatable)
        lua.pushValue(-1)
        lua_rawsetp(lua.L, -3, key)
        dyn_remove(lua.L, -2)
    }

    /// Pushes the cache table, creating it (with mode "v") on first use.
    static func pushCache(_ lua: Lua) {
        let registry = dyn_registryindex()
        if lua.getField(registry, registryKey) == LUA_TTABLE { return }
        lua.pop()
        lua.newTable()
        lua.newTable(hash: 1)
        lua.push("v")
        lua.setField(-2, "__mode")
        lua_setmetatable(lua.L, -2)
        lua.pushValue(-1)
        lua.setField(registry, registryKey)
    }
}

extension Lua {
    /// Pushes a tensor that belongs to a module (a parameter, gradient or field) as its stable
    /// userdata.
    func pushShared(_ t: Tensor) {
        StableUserdata.push(self, t, metatable: TensorBinding.metatable)
    }
}

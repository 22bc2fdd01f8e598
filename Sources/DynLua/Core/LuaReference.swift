import CLua
import CLuaShim

/// A Lua value kept by Swift through a registry reference (released through the main thread,
/// which lives as long as the state): the function of a LuaCallback, the `self` table of an
/// nn.Module.
final class LuaReference {
    /// The state's main thread.
    let main: OpaquePointer
    private let ref: Int32

    /// Keeps the value at stack index `index`.
    init(_ lua: Lua, _ index: Int32) {
        lua_rawgeti(lua.L, dyn_registryindex(), lua_Integer(LUA_RIDX_MAINTHREAD))
        main = lua_tothread(lua.L, -1)!
        lua.pop()
        lua.pushValue(index)
        ref = luaL_ref(lua.L, dyn_registryindex())
    }

    deinit { luaL_unref(main, dyn_registryindex(), ref) }

    func push(_ lua: Lua) { lua_rawgeti(lua.L, dyn_registryindex(), lua_Integer(ref)) }
}

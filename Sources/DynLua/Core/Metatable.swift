import CLua

extension Lua {
    /// Registers the metatable of a userdata type (in the registry under `name`, which Lua also
    /// shows as the type's `__name`): its metamethods, and its methods reached through
    /// `__index` — either a plain table, or a custom `index` body that finds them in its
    /// upvalue 2 (for types that also answer t[i] or fields).
    public func registerMetatable(_ name: String, metamethods: [(String, LuaBody)], methods: [(String, LuaBody)],
                                  index: LuaBody? = nil) {
        luaL_newmetatable(L, name)
        setFunctions(-1, metamethods)
        newTable()
        setFunctions(-1, methods)
        if let index { push(index, upvalues: 1) }
        setField(-2, "__index")
        pop()
    }
}

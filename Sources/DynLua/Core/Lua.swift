import CLua
import CLuaShim

/// A thin, non-raising view of a lua_State for binding bodies. Everything here uses Lua API
/// calls that cannot longjmp (short of running out of memory), so it is safe in Swift frames:
/// raw table access only, no metamethods, no lua_call.
public struct Lua {
    public let L: OpaquePointer

    public init(_ L: OpaquePointer) { self.L = L }

    // MARK: stack

    public var top: Int32 { lua_gettop(L) }
    public func setTop(_ n: Int32) { lua_settop(L, n) }
    public func pop(_ n: Int32 = 1) { dyn_pop(L, n) }
    public func absolute(_ i: Int32) -> Int32 { lua_absindex(L, i) }
    public func pushValue(_ i: Int32) { lua_pushvalue(L, i) }
    public func ensureStack(_ n: Int32) -> Bool { lua_checkstack(L, n) != 0 }

    // MARK: types

    public func type(_ i: Int32) -> Int32 { lua_type(L, i) }
    public func isNoneOrNil(_ i: Int32) -> Bool { lua_type(L, i) <= LUA_TNIL }
    public func isNumber(_ i: Int32) -> Bool { lua_type(L, i) == LUA_TNUMBER }
    public func isTable(_ i: Int32) -> Bool { lua_type(L, i) == LUA_TTABLE }
    public func isFunction(_ i: Int32) -> Bool { lua_type(L, i) == LUA_TFUNCTION }
    public func isString(_ i: Int32) -> Bool { lua_type(L, i) == LUA_TSTRING }

    /// The name used in "X expected, got Y" messages: the metatable's __name for our userdata
    /// ("tensor", "module", ...; "closed tensor" after `<close>`), Lua's type name otherwise
    /// ("no value" for a missing argument).
    public func typeName(_ index: Int32) -> String {
        let i = absolute(index)  // relative indices would move as this pushes
        let t = lua_type(L, i)
        if t == LUA_TNONE { return "no value" }
        if t == LUA_TUSERDATA, lua_getmetatable(L, i) != 0 {
            lua_pushstring(L, "__name")
            lua_rawget(L, -2)
            defer { pop(2) }
            if let s = string(-1) {
                guard s.hasPrefix("dynlua.") else { return s }
                // Our userdata hold one object pointer, NULL once closed (see Userdata).
                let closed = lua_rawlen(L, i) == MemoryLayout<UnsafeRawPointer?>.size
                    && lua_touserdata(L, i)!.load(as: UnsafeRawPointer?.self) == nil
                return (closed ? "closed " : "") + String(s.dropFirst(7))
            }
        }
        return String(cString: lua_typename(L, t))
    }

    // MARK: reading values (nil when the value has another type)

    public func number(_ i: Int32) -> Double? {
        guard lua_type(L, i) == LUA_TNUMBER else { return nil }
        return lua_tonumberx(L, i, nil)
    }

    public func integer(_ i: Int32) -> Int? {
        guard lua_type(L, i) == LUA_TNUMBER else { return nil }
        var ok: Int32 = 0
        let v = lua_tointegerx(L, i, &ok)
        return ok != 0 ? Int(v) : nil
    }

    /// The whole string, embedded NUL bytes included (a C-string read would stop at the first
    /// one, so "ab\0cd.npy" would silently become "ab"); invalid UTF-8 becomes U+FFFD.
    public func string(_ i: Int32) -> String? {
        guard lua_type(L, i) == LUA_TSTRING else { return nil }
        var length = 0
        guard let p = lua_tolstring(L, i, &length) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: p, count: length), as: UTF8.self)
    }

    public func boolean(_ i: Int32) -> Bool { lua_toboolean(L, i) != 0 }

    // MARK: pushing

    public func push(_ v: Double) { lua_pushnumber(L, v) }
    public func push(_ v: Int) { lua_pushinteger(L, lua_Integer(v)) }
    public func push(_ v: Bool) { lua_pushboolean(L, v ? 1 : 0) }
    public func push(_ s: String) { _ = s.withCString { lua_pushstring(L, $0) } }
    public func pushNil() { lua_pushnil(L) }

    /// A new table on the stack top, with room for the given sizes (a hint: capped, the table
    /// grows past it as needed).
    public func newTable(array: Int = 0, hash: Int = 0) {
        lua_createtable(L, Int32(min(array, Lua.maxTableElements)), Int32(min(hash, Lua.maxTableElements)))
    }

    /// The most elements a binding puts in one Lua table (128 Mi: 2 GiB of Lua values).
    public static let maxTableElements = 1 << 27

    /// t[key] = top value, raw (t at index `table`); pops the value.
    public func setField(_ table: Int32, _ key: String) {
        let t = absolute(table)
        push(key)
        lua_rotate(L, -2, 1)
        lua_rawset(L, t)
    }

    /// t[i] = top value, raw; pops the value.
    public func setIndex(_ table: Int32, _ i: Int) { lua_rawseti(L, absolute(table), lua_Integer(i)) }

    /// Pushes t[key] (raw) and returns its type.
    @discardableResult
    public func getField(_ table: Int32, _ key: String) -> Int32 {
        let t = absolute(table)
        push(key)
        return lua_rawget(L, t)
    }

    /// Pushes t[i] (raw) and returns its type.
    @discardableResult
    public func getIndex(_ table: Int32, _ i: Int) -> Int32 { lua_rawgeti(L, absolute(table), lua_Integer(i)) }

    /// Raw length of a table (the border #t sees when no __len is set).
    public func rawLength(_ i: Int32) -> Int { Int(lua_rawlen(L, i)) }

    /// Pushes a Lua function running `body` with the values on the stack top as upvalues 2...
    public func push(_ body: LuaBody, upvalues: Int32 = 0) { dyn_pushbody(L, body, upvalues) }

    /// Sets functions into the table at `table`.
    public func setFunctions(_ table: Int32, _ functions: [(String, LuaBody)]) {
        let t = absolute(table)
        for (name, f) in functions {
            push(f)
            setField(t, name)
        }
    }

    /// The values of a table's array part 1..#t, with their Lua types checked by `read`.
    public func forEachArrayItem(_ table: Int32, _ body: (Int) throws -> Void) rethrows {
        let t = absolute(table)
        let n = rawLength(t)
        for i in 1...max(n, 1) where i <= n {
            getIndex(t, i)
            defer { pop() }
            try body(i)
        }
    }
}

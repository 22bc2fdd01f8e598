import CLua
import CLuaShim
import DynCore

/// Lua values to and from DynCore's SavedValue (what `on_checkpoint` returns and `on_resume`
/// receives): numbers, strings, booleans and tables of them, nested at most
/// SavedValue.maxDepth deep (a table that contains itself is reported as too deep).
enum SavedValues {
    static func read(_ lua: Lua, _ index: Int32, what: String, depth: Int = 0) throws -> SavedValue {
        let i = lua.absolute(index)
        switch lua.type(i) {
        case LUA_TNUMBER:
            if let n = lua.integer(i), lua_isinteger(lua.L, i) != 0 { return .integer(n) }
            return .number(lua.number(i)!)
        case LUA_TBOOLEAN: return .boolean(lua.boolean(i))
        case LUA_TSTRING:
            var length = 0
            let p = lua_tolstring(lua.L, i, &length)!
            return .string(Array(UnsafeRawBufferPointer(start: p, count: length)))
        case LUA_TTABLE:
            guard depth < SavedValue.maxDepth else {
                throw LuaFailure.message("\(what): tables nested more than \(SavedValue.maxDepth) deep (does a table contain itself?)")
            }
            guard lua.ensureStack(4) else { throw LuaFailure.message("\(what): Lua stack exhausted") }
            var keys: [SavedValue] = [], values: [SavedValue] = []
            lua.pushNil()
            while lua_next(lua.L, i) != 0 {
                // Keys are read from a copy: lua_tolstring on a number key would confuse lua_next.
                lua.pushValue(-2)
                defer { lua.pop(2) }
                guard lua.type(-1) != LUA_TTABLE else { throw LuaFailure.message("\(what): a table key cannot be saved (keys are numbers, strings or booleans)") }
                keys.append(try read(lua, -1, what: what, depth: depth + 1))
                values.append(try read(lua, -2, what: what, depth: depth + 1))
            }
            return .table(keys: keys, values: values)
        default:
            throw LuaFailure.message("\(what): a \(lua.typeName(i)) value cannot be saved (only numbers, strings, booleans and tables of them)")
        }
    }

    static func push(_ lua: Lua, _ v: SavedValue) {
        switch v {
        case .integer(let n): lua.push(n)
        case .number(let d): lua.push(d)
        case .boolean(let b): lua.push(b)
        case .string(let bytes): bytes.withUnsafeBufferPointer { b in
            b.withMemoryRebound(to: CChar.self) { _ = lua_pushlstring(lua.L, $0.baseAddress, $0.count) }
        }
        case .table(let keys, let values):
            _ = lua.ensureStack(4)
            lua.newTable(hash: keys.count)
            for (k, value) in zip(keys, values) {
                // Lua raises on a NaN or nil key: such a pair (only a hand-made file has one) is dropped.
                if case .number(let d) = k, d.isNaN { continue }
                if case .table = k { continue }
                push(lua, k)
                push(lua, value)
                lua_rawset(lua.L, -3)
            }
        }
    }
}

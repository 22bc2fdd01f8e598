import CLua
import DynCore
import DynLua

/// The child's half of `dynlua sweep`: the table a script's main chunk returns, as one JSON
/// object written (atomically) to the file the hidden option `--sweep-result FILE` names.
/// The runner reads that file once the child has exited; no file means the point failed.
enum ScriptResults {
    /// Reads the value on the stack top (the chunk's first result) into JSON fields.
    static func read(_ lua: Lua) throws -> [(String, JSONValue)] {
        guard lua.isTable(-1) else {
            throw UsageError("the script must return a table of results (numbers or strings), got \(lua.typeName(-1))")
        }
        var fields: [(String, JSONValue)] = []
        lua.pushNil()
        while lua_next(lua.L, -2) != 0 {
            defer { lua.pop() }
            guard let key = lua.string(-2) else {
                throw UsageError("the script's results must have string names, got a \(lua.typeName(-2)) key")
            }
            switch lua.type(-1) {
            case LUA_TNUMBER:
                fields.append((key, lua_isinteger(lua.L, -1) != 0 ? .integer(lua.integer(-1)!) : .number(lua.number(-1)!)))
            case LUA_TSTRING: fields.append((key, .string(lua.string(-1)!)))
            case LUA_TBOOLEAN: fields.append((key, .bool(lua.boolean(-1))))
            default:
                throw UsageError("the script's result '\(key)' is a \(lua.typeName(-1)): results must be numbers or strings")
            }
        }
        return fields.sorted { $0.0 < $1.0 }
    }

    static func write(_ lua: Lua, to path: String) throws {
        let text = JSONValue.object(try read(lua)).text + "\n"
        try AtomicFile.write(text, to: path, op: "dynlua sweep")
    }
}

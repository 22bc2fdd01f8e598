import CLua
import CLuaShim

/// Tab completion at the prompt: the names that can follow the identifier chain before the
/// cursor (`tensor.ra` -> randn, rand; `x:su` -> sum, sub, ... for a tensor x). Completing must
/// never run Lua code, since a `__index` function could have any effect, so values are reached with
/// raw reads only: table fields, `__index` tables of metatables, and for dynlua's own objects
/// (metatable named "dynlua.*") the method table their `__index` function keeps as an upvalue.
public enum Completion {
    static let keywords = ["and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if",
                           "in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while"]

    /// Where the word being completed starts in `text` (counted in Unicode scalars) and the
    /// names that complete it, sorted; no names when the text does not end in a chain of names.
    public static func candidates(_ lua: Lua, before text: String) -> (start: Int, names: [String]) {
        let scalars = Array(text.unicodeScalars)
        var begin = scalars.count
        while begin > 0, isNameScalar(scalars[begin - 1]) || scalars[begin - 1] == "." || scalars[begin - 1] == ":" { begin -= 1 }
        let chain = String(String.UnicodeScalarView(scalars[begin...]))
        // Split into names and the separators before each: "a.b:c" -> [a, b, c], [".", ":"].
        var names = [""], separators: [Character] = []
        for ch in chain {
            if ch == "." || ch == ":" { separators.append(ch); names.append("") } else { names[names.count - 1].append(ch) }
        }
        let prefix = names.removeLast()
        let start = scalars.count - prefix.unicodeScalars.count
        guard names.allSatisfy({ isName($0) }), !separators.dropLast().contains(":"),
              prefix.isEmpty || isNameScalar(prefix.unicodeScalars.first!) && !prefix.first!.isNumber,
              begin == 0 || scalars[begin - 1] != "]" && scalars[begin - 1] != ")" else { return (start, []) }

        let base = lua.top
        defer { lua.setTop(base) }
        guard lua.ensureStack(8) else { return (start, []) }
        lua_rawgeti(lua.L, dyn_registryindex(), lua_Integer(LUA_RIDX_GLOBALS))
        for name in names {
            guard field(lua, name) else { return (start, []) }
        }
        let methodsOnly = separators.last == ":"
        var found = Set<String>()
        collectNames(lua, into: &found, functionsOnly: methodsOnly)
        if names.isEmpty { found.formUnion(keywords) }
        return (start, found.filter { $0.hasPrefix(prefix) }.sorted())
    }

    /// Replaces the value on top of the stack by its field `name`, read without metamethods;
    /// false (nothing replaced) when there is no such field.
    static func field(_ lua: Lua, _ name: String) -> Bool {
        let value = lua.absolute(-1)
        let count = lookupTables(lua)
        defer { lua.setTop(value) }
        for k in 0..<Int32(count) {
            _ = lua.getField(value + 1 + k, name)
            if !lua.isNoneOrNil(-1) {
                lua_copy(lua.L, -1, value)
                return true
            }
            lua.pop()
        }
        return false
    }

    /// Pushes the tables where the fields of the value on top are found: the value itself when
    /// it is a table, then the `__index` tables of its metatables (at most 8 deep), or a dynlua
    /// object's method table. Returns how many were pushed.
    static func lookupTables(_ lua: Lua) -> Int {
        var pushed = 0
        if lua.isTable(-1) { lua.pushValue(-1); pushed += 1 }
        for _ in 0..<8 {
            guard lua.ensureStack(3), lua_getmetatable(lua.L, -1) != 0 else { break }
            let isDynlua = lua.getField(-1, "__name") == LUA_TSTRING && (lua.string(-1) ?? "").hasPrefix("dynlua.")
            lua.pop()
            let kind = lua.getField(-1, "__index")
            dyn_remove(lua.L, -2)  // the metatable
            if kind == LUA_TTABLE {
                pushed += 1
                continue  // and its own metatable's __index, as Lua would look
            }
            // A dynlua object's __index function keeps its method table as the second upvalue
            // (the first is the Swift body).
            if isDynlua, kind == LUA_TFUNCTION, lua_iscfunction(lua.L, -1) != 0,
               lua_getupvalue(lua.L, -1, 2) != nil {
                dyn_remove(lua.L, -2)
                if lua.isTable(-1) { pushed += 1 } else { lua.pop() }
            } else {
                lua.pop()
            }
            break
        }
        return pushed
    }

    /// Adds the string keys that are names, of the value on top of the stack and the tables it
    /// reads fields from.
    static func collectNames(_ lua: Lua, into names: inout Set<String>, functionsOnly: Bool) {
        let sources = lookupTables(lua)
        defer { lua.pop(Int32(sources)) }
        for k in 0..<sources {
            let table = lua.absolute(Int32(-sources + k))
            lua.pushNil()
            while lua_next(lua.L, table) != 0 {
                if lua.type(-2) == LUA_TSTRING, let key = lua.string(-2), isName(key),
                   !functionsOnly || lua.isFunction(-1) {
                    names.insert(key)
                }
                lua.pop()
                if names.count > 10_000 { lua.pop(); return }
            }
        }
    }

    static func isNameScalar(_ s: Unicode.Scalar) -> Bool {
        s == "_" || ("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s)
    }

    static func isName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return s.unicodeScalars.allSatisfy(isNameScalar) && !keywords.contains(s)
    }
}

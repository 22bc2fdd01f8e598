import Foundation
import CLua
import CLuaShim

/// `sys.params{name = default, ...}`: a script's parameters, read from `name=value` arguments in
/// the global `arg` (arg[1] .. arg[#arg]) and converted to the type of each default. This is how
/// `dynlua sweep` hands a grid point to a script, and how a user sets one by hand.
enum SysParams {
    /// A default's type, which decides how the text of a value is read.
    enum Kind {
        case integer, float, boolean, string

        var expected: String {
            switch self {
            case .integer: return "an integer"
            case .float: return "a number"
            case .boolean: return "true, false, 1, 0, yes or no"
            case .string: return "a string"
            }
        }
    }

    static let body: LuaBody = { guarded($0) { lua in
        try lua.checkTable(1)
        let kinds = try declaredKinds(lua)
        // The result: a copy of the defaults, then each argument over it.
        lua.newTable(hash: kinds.count)
        let result = lua.top
        lua.pushNil()
        while lua_next(lua.L, 1) != 0 {
            lua.pushValue(-2)
            dyn_insert(lua.L, -2)
            lua_rawset(lua.L, result)
        }
        var seen: Set<String> = []
        for (position, text) in try arguments(lua) {
            guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
                throw LuaFailure.message("sys.params: argument \(position) '\(text)' is not name=value (parameters: \(names(kinds)))")
            }
            let name = String(text[..<eq]), value = String(text[text.index(after: eq)...])
            guard let kind = kinds[name] else {
                throw LuaFailure.message("sys.params: unknown parameter '\(name)' in argument \(position) '\(text)' (parameters: \(names(kinds)))")
            }
            guard seen.insert(name).inserted else {
                throw LuaFailure.message("sys.params: parameter '\(name)' given twice (argument \(position) '\(text)')")
            }
            guard try push(value, as: kind, lua) else {
                throw LuaFailure.message("sys.params: bad value '\(value)' for parameter '\(name)' (expected \(kind.expected), as its default)")
            }
            lua.setField(result, name)
        }
        return 1
    } }

    /// The declared names and the kinds of their defaults; anything but a string name with a
    /// number, boolean or string default is an error.
    static func declaredKinds(_ lua: Lua) throws -> [String: Kind] {
        var kinds: [String: Kind] = [:]
        lua.pushNil()
        while lua_next(lua.L, 1) != 0 {
            defer { lua.pop() }
            guard let name = lua.string(-2) else {
                throw LuaFailure.argument(1, "parameter names must be strings, got a \(lua.typeName(-2)) key")
            }
            switch lua.type(-1) {
            case LUA_TNUMBER: kinds[name] = lua_isinteger(lua.L, -1) != 0 ? .integer : .float
            case LUA_TBOOLEAN: kinds[name] = .boolean
            case LUA_TSTRING: kinds[name] = .string
            default:
                throw LuaFailure.argument(1, "default of '\(name)' must be a number, boolean or string, got \(lua.typeName(-1))")
            }
        }
        return kinds
    }

    /// arg[1] .. arg[#arg] as (position, text); a missing `arg` (a state with no script) is none.
    static func arguments(_ lua: Lua) throws -> [(Int, String)] {
        lua_rawgeti(lua.L, dyn_registryindex(), lua_Integer(LUA_RIDX_GLOBALS))
        lua.getField(-1, "arg")
        defer { lua.pop(2) }
        if lua.isNoneOrNil(-1) { return [] }
        guard lua.isTable(-1) else { throw LuaFailure.message("sys.params: 'arg' is not a table (it is a \(lua.typeName(-1)))") }
        var list: [(Int, String)] = []
        try lua.forEachArrayItem(-1) { i in
            guard let s = lua.string(-1) else {
                throw LuaFailure.message("sys.params: arg[\(i)] must be a name=value string, got \(lua.typeName(-1))")
            }
            list.append((i, s))
        }
        return list
    }

    /// Pushes `text` read as `kind`; false (nothing pushed) when it cannot be.
    static func push(_ text: String, as kind: Kind, _ lua: Lua) throws -> Bool {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        switch kind {
        case .string:
            lua.push(text)
        case .integer:
            guard let n = Int(trimmed) ?? integralDouble(trimmed) else { return false }
            lua.push(n)
        case .float:
            guard let x = Double(trimmed), x.isFinite, trimmed.allSatisfy({ "0123456789+-.eE".contains($0) }) else { return false }
            lua.push(x)
        case .boolean:
            switch trimmed.lowercased() {
            case "true", "1", "yes": lua.push(true)
            case "false", "0", "no": lua.push(false)
            default: return false
            }
        }
        return true
    }

    /// "1e3" for an integer parameter: accepted when it is a whole number in range.
    static func integralDouble(_ text: String) -> Int? {
        guard text.allSatisfy({ "0123456789+-.eE".contains($0) }), let x = Double(text),
              x.rounded() == x, abs(x) < 0x1p63 else { return nil }
        return Int(x)
    }

    static func names(_ kinds: [String: Kind]) -> String { kinds.keys.sorted().joined(separator: ", ") }
}

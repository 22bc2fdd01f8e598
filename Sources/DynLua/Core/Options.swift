import CLua
import DynCore

/// Reads an options table `f{a=1, b=2}` without raising: every field is checked against the
/// names the function accepts, so a misspelt option is an error rather than silently ignored.
public struct Options {
    let lua: Lua
    let index: Int32
    let function: String
    public let present: Bool

    /// Validates the table at `index` (nil or absent means "no options").
    public init(_ lua: Lua, _ index: Int32, function: String, allowed: [String]) throws {
        self.lua = lua
        self.function = function
        self.index = lua.absolute(index)
        present = !lua.isNoneOrNil(index)
        guard present else { return }
        guard lua.isTable(index) else { throw lua.typeError(index, expected: "options table") }
        lua.pushNil()
        while lua_next(lua.L, self.index) != 0 {
            defer { lua.pop() }
            guard let key = lua.string(-2) else {
                lua.pop()  // value; the key stays for the message below
                let what = lua.typeName(-1)
                lua.pop()
                throw LuaFailure.message("\(function): option names must be strings, got a \(what) key")
            }
            if !allowed.contains(key) {
                lua.pop(2)
                throw LuaFailure.message("\(function): unknown option '\(key)' (expected one of: \(allowed.sorted().joined(separator: ", ")))")
            }
        }
    }

    /// Pushes the field's value (nil when absent) and runs `read` with it at the top.
    func with<R>(_ name: String, _ read: () throws -> R) rethrows -> R {
        if present { lua.getField(index, name) } else { lua.pushNil() }
        defer { lua.pop() }
        return try read()
    }

    public func has(_ name: String) -> Bool { with(name) { !lua.isNoneOrNil(-1) } }

    func bad(_ name: String, _ expected: String) -> LuaFailure {
        .message("\(function): option '\(name)' must be \(expected), got \(lua.typeName(-1))")
    }

    public func number(_ name: String) throws -> Double? {
        try with(name) {
            if lua.isNoneOrNil(-1) { return nil }
            guard let v = lua.number(-1) else { throw bad(name, "a number") }
            return v
        }
    }

    public func number(_ name: String, default d: Double) throws -> Double { try number(name) ?? d }

    public func integer(_ name: String) throws -> Int? {
        try with(name) {
            if lua.isNoneOrNil(-1) { return nil }
            guard let v = lua.integer(-1) else { throw bad(name, "an integer") }
            return v
        }
    }

    public func integer(_ name: String, default d: Int) throws -> Int { try integer(name) ?? d }

    /// A generator seed: any integer, a negative one standing for its 64-bit two's complement
    /// (as `tensor.seed` takes it), so -1 and 2^64 - 1 name the same stream.
    public func seed(_ name: String = "seed") throws -> UInt64 {
        UInt64(bitPattern: Int64(try integer(name, default: 0)))
    }

    public func boolean(_ name: String, default d: Bool) throws -> Bool {
        try with(name) {
            if lua.isNoneOrNil(-1) { return d }
            guard lua.type(-1) == LUA_TBOOLEAN else { throw bad(name, "a boolean") }
            return lua.boolean(-1)
        }
    }

    public func string(_ name: String) throws -> String? {
        try with(name) {
            if lua.isNoneOrNil(-1) { return nil }
            guard let s = lua.string(-1) else { throw bad(name, "a string") }
            return s
        }
    }

    /// Pushes the raw field value for callers that read structured values themselves; the
    /// caller pops it.
    public func push(_ name: String) {
        if present { lua.getField(index, name) } else { lua.pushNil() }
    }
}

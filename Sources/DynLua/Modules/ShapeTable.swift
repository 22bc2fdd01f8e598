import CLua
import CLuaShim
import DynCore

/// What `t:shape()` and `t:size()` return: a plain Lua table of the sizes ({300, 2}: `#s`,
/// `s[1]`, ipairs and table functions work as on any table) whose metatable prints it as
/// `(300x2)` and compares two shapes by their sizes (`a:shape() == b:shape()`).
enum ShapeTable {
    static let metatable = "dynlua.shape"

    static func push(_ lua: Lua, _ shape: [Int]) {
        lua.newTable(array: shape.count)
        for (d, n) in shape.enumerated() { lua.push(n); lua.setIndex(-2, d + 1) }
        lua.getField(dyn_registryindex(), metatable)
        lua_setmetatable(lua.L, -2)
    }

    /// The entries of the table at i read raw, each as text (a script may have changed them);
    /// past `shown` entries only their count, so a table grown huge prints short.
    static func entries(_ lua: Lua, _ i: Int32, shown: Int = 32) -> [String] {
        var out: [String] = []
        let n = lua.rawLength(i)
        for k in 1...max(min(n, shown), 1) where k <= n {
            lua.getIndex(i, k)
            defer { lua.pop() }
            if let n = lua.integer(-1) { out.append(String(n)) }
            else if let v = lua.number(-1) { out.append(ScheduleModule.numberText(v)) }
            else { out.append(lua.typeName(-1)) }
        }
        if n > shown { out.append("... \(n - shown) more") }
        return out
    }

    static let metamethods: [(String, LuaBody)] = [
        ("__tostring", { guarded($0) { lua in
            guard lua.isTable(1) else { throw lua.typeError(1, expected: "shape table") }
            lua.push("(" + entries(lua, 1).joined(separator: "x") + ")"); return 1
        } }),
        ("__eq", { guarded($0) { lua in
            guard lua.isTable(1), lua.isTable(2) else { lua.push(false); return 1 }
            let n = lua.rawLength(1)
            guard n == lua.rawLength(2) else { lua.push(false); return 1 }
            for k in 1...max(n, 1) where k <= n {
                lua.getIndex(1, k); lua.getIndex(2, k)
                let same = lua_rawequal(lua.L, -1, -2) != 0
                lua.pop(2)
                guard same else { lua.push(false); return 1 }
            }
            lua.push(true); return 1
        } }),
    ]

    static func register(_ lua: Lua) {
        luaL_newmetatable(lua.L, metatable)
        lua.setFunctions(-1, metamethods)
        lua.pop()
    }
}

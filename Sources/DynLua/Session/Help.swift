import CLua
import CLuaShim
import Foundation

/// `help(x)` at the prompt: the first lines of the docs entry for a module (`help(plot)`), a
/// function (`help(tensor.zeros)`), a method (`help(x.sum)` for a tensor x, `help(fig.line)`),
/// an object (`help(x)`: its module's page) or a name (`help "t:sum"`, `help "tensor.zeros"`).
/// Values are recognised by raw comparison with the module tables and dynlua's method tables:
/// nothing of the script's runs.
public enum Help {
    /// The docs page of each kind of dynlua object, by metatable name.
    static let pageOfType = ["dynlua.tensor": "tensor", "dynlua.figure": "plot", "dynlua.module": "nn",
                             "dynlua.loss": "nn", "dynlua.optimizer": "optim", "dynlua.schedule": "schedule",
                             "dynlua.batches": "data"]
    static let moduleNames = ["tensor", "nn", "schedule", "optim", "data", "train", "analysis", "plot", "sys", "autograd"]

    static let usage = """
        help(x) shows the docs of a module, function or method:
          help(plot)   help(tensor.zeros)   help(x.sum)   help "t:sum"   help "fig:line"
        """

    /// Defines the global `help`, reading the docs from `docs` (nil: not found, after looking
    /// in `tried`). The directories are kept as upvalues of the function (2: the docs, 3: tried).
    public static func register(_ host: LuaHost, docs: DocsLibrary?, tried: [String]) {
        let lua = host.lua
        if let docs { lua.push(docs.directory) } else { lua.pushNil() }
        lua.push(tried.joined(separator: "\n"))
        lua.push({ guarded($0) { lua in
            let docs = lua.string(dyn_upvalueindex(2)).map(DocsLibrary.init(directory:))
            let tried = (lua.string(dyn_upvalueindex(3)) ?? "").components(separatedBy: "\n")
            fputs(try Help.text(lua, docs: docs, tried: tried) + "\n", stdout)
            fflush(stdout)
            return 0
        } }, upvalues: 2)
        host.setGlobal("help")
    }

    static func text(_ lua: Lua, docs: DocsLibrary?, tried: [String]) throws -> String {
        if lua.isNoneOrNil(1) { return usage }
        guard let docs else {
            return "help: the docs (docs/api/*.md) were not found; looked in:\n  "
                + tried.joined(separator: "\n  ") + "\nSet DYNLUA_DOCS to the docs/api directory of dynlua's sources."
        }
        let (query, preferred) = try describe(lua, 1)
        switch query {
        case .module(let m):
            return docs.module(m) ?? "help: no docs page for '\(m)'"
        case .name(let q, let shown):
            return docs.entry(q, preferred: preferred) ?? "help: no docs entry for '\(shown)'"
        }
    }

    enum Query { case module(String), name(String, shown: String) }

    /// What argument `i` names, and the pages to search first.
    static func describe(_ lua: Lua, _ i: Int32) throws -> (Query, [String]) {
        if let s = lua.string(i) {
            if moduleNames.contains(s) { return (.module(s), []) }
            if let colon = s.lastIndex(of: ":") {
                let method = String(s[s.index(after: colon)...])
                return (.name(":" + method, shown: s), [])
            }
            if s.contains(".") {
                let module = String(s.prefix { $0 != "." })
                return (.name(s, shown: s), moduleNames.contains(module) ? [module] : [])
            }
            return (.name(s, shown: s), [])
        }
        if lua.isTable(i), let m = moduleNames.first(where: { isGlobal(lua, $0, equalTo: i) }) {
            return (.module(m), [])
        }
        if lua.type(i) == LUA_TUSERDATA, let type = metatableName(lua, i), let page = pageOfType[type] {
            return (.module(page), [])
        }
        if lua.isFunction(i) {
            for m in moduleNames {
                if let key = key(of: i, inGlobal: m, lua) { return (.name("\(m).\(key)", shown: "\(m).\(key)"), [m]) }
            }
            for (type, page) in pageOfType.sorted(by: { $0.key < $1.key }) {
                if let key = methodName(of: i, type: type, lua) { return (.name(":" + key, shown: key), [page]) }
            }
            throw LuaFailure.argument(i, "not a dynlua function or method (help takes a module, function, method or name)")
        }
        throw LuaFailure.argument(i, "expected a dynlua module, function, method, object or a name, got \(lua.typeName(i))")
    }

    static func isGlobal(_ lua: Lua, _ name: String, equalTo i: Int32) -> Bool {
        let base = lua.top
        defer { lua.setTop(base) }
        lua_rawgeti(lua.L, dyn_registryindex(), lua_Integer(LUA_RIDX_GLOBALS))
        _ = lua.getField(-1, name)
        return lua_rawequal(lua.L, -1, i) != 0
    }

    static func metatableName(_ lua: Lua, _ i: Int32) -> String? {
        let base = lua.top
        defer { lua.setTop(base) }
        guard lua_getmetatable(lua.L, i) != 0, lua.getField(-1, "__name") == LUA_TSTRING else { return nil }
        return lua.string(-1)
    }

    /// The key under which the module table global `module` holds the value at `i` (raw).
    static func key(of i: Int32, inGlobal module: String, _ lua: Lua) -> String? {
        let base = lua.top
        defer { lua.setTop(base) }
        lua_rawgeti(lua.L, dyn_registryindex(), lua_Integer(LUA_RIDX_GLOBALS))
        guard lua.getField(-1, module) == LUA_TTABLE else { return nil }
        return key(of: i, inTable: lua.absolute(-1), lua)
    }

    /// The method name under which the objects of metatable `type` reach the value at `i`.
    static func methodName(of i: Int32, type: String, _ lua: Lua) -> String? {
        let base = lua.top
        defer { lua.setTop(base) }
        guard lua.getField(dyn_registryindex(), type) == LUA_TTABLE else { return nil }
        // A stand-in for an object: the metatable's lookup tables are those of its objects.
        let table = lua.absolute(-1)
        lua.newTable()
        lua.pushValue(table)
        lua_setmetatable(lua.L, -2)
        let count = Completion.lookupTables(lua)
        for k in 0..<count {
            if let key = key(of: i, inTable: lua.absolute(Int32(-count + k)), lua) { return key }
        }
        return nil
    }

    static func key(of i: Int32, inTable t: Int32, _ lua: Lua) -> String? {
        let value = lua.absolute(i)
        lua.pushNil()
        while lua_next(lua.L, t) != 0 {
            if lua_rawequal(lua.L, -1, value) != 0, lua.type(-2) == LUA_TSTRING, let k = lua.string(-2) {
                lua.pop(2)
                return k
            }
            lua.pop()
        }
        return nil
    }
}

import XCTest
@testable import DynLua
import CLua
import CLuaShim
import Foundation

/// What the interactive session uses from DynLua: completion, the printing of tables, help.
final class CompletionTests: XCTestCase {
    func names(_ host: LuaHost, _ text: String) -> [String] { Completion.candidates(host.lua, before: text).names }

    func testGlobalsFieldsAndMethods() {
        let host = LuaHost()
        XCTAssertEqual(host.runString("x = tensor.zeros(3); fig = plot.figure(); obj = setmetatable({own = 1}, {__index = {inherited = 2, m = function() end}})"), .ok)
        XCTAssertEqual(names(host, "tensor.ra"), ["rand", "randn"])
        XCTAssertEqual(Completion.candidates(host.lua, before: "y = tensor.ra").start, 11)
        XCTAssertEqual(names(host, "print(x:su"), ["sum"])
        XCTAssertTrue(Set(["sqrt", "sum", "shape", "softmax"]).isSubset(of: names(host, "x:s")))
        XCTAssertTrue(names(host, "fig:er").contains("errorbar"))
        XCTAssertEqual(names(host, "obj."), ["inherited", "m", "own"])
        XCTAssertEqual(names(host, "obj:"), ["m"])  // methods: functions only
        XCTAssertEqual(names(host, "tens"), ["tensor"])
        XCTAssertEqual(names(host, "whi"), ["while"])  // keywords at the start of a chain
        XCTAssertEqual(names(host, "string.for"), ["format"])
        // Nothing to complete: unknown names, a number, a call's result, a method then a field.
        XCTAssertEqual(names(host, "nosuch.a"), [])
        XCTAssertEqual(names(host, "1.5"), [])
        XCTAssertEqual(names(host, "f().a"), [])
        XCTAssertEqual(names(host, "x:sum.a"), [])
        XCTAssertEqual(host.lua.top, 0)
    }

    /// Completing runs no Lua code: neither an __index function nor a __pairs or __name
    /// trick; fields behind an __index function are simply not offered.
    func testCompletionRunsNoMetamethods() {
        let host = LuaHost()
        XCTAssertEqual(host.runString("""
            calls = 0
            trap = setmetatable({real = 1}, {__index = function(t, k) calls = calls + 1 return {} end,
                                            __pairs = function() calls = calls + 1 return next, {} end})
            nested = setmetatable({}, {__index = trap})
            """), .ok)
        XCTAssertEqual(names(host, "trap."), ["real"])
        XCTAssertEqual(names(host, "trap.virtual.a"), [])
        XCTAssertEqual(names(host, "nested.re"), ["real"])
        XCTAssertEqual(host.runString("assert(calls == 0, calls)"), .ok)
    }
}

final class ValuePrinterTests: XCTestCase {
    /// Prints through the session's printer with `print` captured into the global `out`.
    func shown(_ expression: String) -> String {
        let host = LuaHost()
        XCTAssertEqual(host.runString("out = {}; print = function(...) local p = table.pack(...) for i = 1, p.n do out[#out + 1] = tostring(p[i]) end end"), .ok)
        XCTAssertTrue(ValuePrinter.push(host))
        XCTAssertEqual(dyn_loadstring(host.L, "return " + expression, "=test"), LUA_OK)
        guard host.call(nargs: 0, nresults: 1) == .ok, host.call(nargs: 1, nresults: 0) == .ok else { return "(failed)" }
        host.pushGlobal("out")
        var parts: [String] = []
        for i in 1...max(1, host.lua.rawLength(-1)) where i <= host.lua.rawLength(-1) {
            _ = host.lua.getIndex(-1, i)
            parts.append(host.lua.string(-1) ?? "?")
            host.lua.pop()
        }
        return parts.joined(separator: "\t")
    }

    func testTablesAreShownByTheirContents() {
        XCTAssertEqual(shown("{1, 2, 3}"), "{1, 2, 3}")
        XCTAssertEqual(shown("{}"), "{}")
        XCTAssertEqual(shown("{b = 2, a = 'x\\ny', [10] = true, 0.5}"), "{0.5, [10] = true, a = \"x\\ny\", b = 2}")
        XCTAssertEqual(shown("{['not a name'] = 1}"), "{[\"not a name\"] = 1}")
        // Nesting stops at three levels; long arrays give their length.
        XCTAssertEqual(shown("{{{{1, 2}}}}"), "{{{{... (2 items)}}}}")
        XCTAssertEqual(shown("(function() local t = {} for i = 1, 30 do t[i] = i end return {t = t} end)()"),
                       "{t = {1, 2, 3, 4, 5, ... (30 items)}}")
        // A cycle, and a table holding itself.
        XCTAssertEqual(shown("(function() local t = {} t.me = t return t end)()"), "{me = <cycle>}")
        // The same table twice, side by side, is not a cycle.
        XCTAssertEqual(shown("(function() local s = {1} return {s, s} end)()"), "{{1}, {1}}")
    }

    func testHistoryLikeTableShowsKeysAndLengths() {
        let h = shown("""
            (function() local h = {loss = {}, accuracy = {}, step = {}}
             for i = 1, 100 do h.loss[i] = 1 / i; h.accuracy[i] = i / 100; h.step[i] = i end
             return h end)()
            """)
        XCTAssertEqual(h, """
            {
              accuracy = {0.01, 0.02, 0.03, 0.04, 0.05, ... (100 items)},
              loss = {1.0, 0.5, 0.33333333333333, 0.25, 0.2, ... (100 items)},
              step = {1, 2, 3, 4, 5, ... (100 items)}
            }
            """)
    }

    func testObjectsAndOtherValuesPrintAsBefore() {
        XCTAssertEqual(shown("setmetatable({}, {__tostring = function() return 'T' end})"), "T")
        XCTAssertEqual(shown("'text'"), "text")
        XCTAssertEqual(shown("{tensor.zeros(1)}"), "{tensor([0.], shape=(1,), dtype=float64)}")
        // A __tostring that raises inside a table is an error of print, caught by the session.
        let host = LuaHost()
        XCTAssertTrue(ValuePrinter.push(host))
        XCTAssertEqual(host.runString("bad = {setmetatable({}, {__tostring = function() error('boom') end})}"), .ok)
        host.pushGlobal("bad")
        guard case .error(let m) = host.call(nargs: 1, nresults: 0) else { return XCTFail("no error") }
        XCTAssertTrue(m.contains("boom"), m)
    }
}

final class HelpTests: XCTestCase {
    let docs = DocsLibrary(directory: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/api").path)

    func testEntriesFromHeadingsAndTables() throws {
        let zeros = try XCTUnwrap(docs.entry("tensor.zeros", preferred: ["tensor"]))
        XCTAssertTrue(zeros.hasPrefix("### `tensor.zeros(d1, d2, ... [, dtype])`"), zeros)
        XCTAssertTrue(zeros.hasSuffix(".md, line \(try lineOf("### `tensor.zeros(", in: "tensor")))"), zeros)
        let sum = try XCTUnwrap(docs.entry(":sum", preferred: ["tensor"]))
        XCTAssertTrue(sum.contains("| `t:sum([d])`"), sum)
        XCTAssertNil(docs.entry(":no_such_method"))
        XCTAssertTrue(try XCTUnwrap(docs.module("plot")).hasPrefix("# plot: figures as SVG"))
        XCTAssertFalse(docs.mentions("t:summary()", ":sum"))
    }

    func lineOf(_ prefix: String, in page: String) throws -> Int {
        try XCTUnwrap(docs.page(page)?.firstIndex { $0.hasPrefix(prefix) }) + 1
    }

    /// help(value): a module table, a module function and a method are recognised by identity.
    func testHelpRecognisesValues() throws {
        let host = LuaHost()
        Help.register(host, docs: docs, tried: [])
        XCTAssertEqual(host.runString("x = tensor.zeros(2); fig = plot.figure()"), .ok)
        func query(_ code: String) throws -> String {
            XCTAssertEqual(dyn_loadstring(host.L, "return " + code, "=test"), LUA_OK)
            XCTAssertEqual(host.call(nargs: 0, nresults: 1), .ok)
            defer { host.lua.setTop(0) }
            switch try Help.describe(host.lua, 1).0 {
            case .module(let m): return "module " + m
            case .name(let q, _): return q
            }
        }
        XCTAssertEqual(try query("plot"), "module plot")
        XCTAssertEqual(try query("x"), "module tensor")
        XCTAssertEqual(try query("tensor.zeros"), "tensor.zeros")
        XCTAssertEqual(try query("x.sum"), ":sum")
        XCTAssertEqual(try query("fig.errorbar"), ":errorbar")
        XCTAssertEqual(try query("'t:sum'"), ":sum")
        XCTAssertThrowsError(try query("print"))
        XCTAssertEqual(host.runString("help({})"), .error("(command line):1: bad argument #1 to 'help' (expected a dynlua module, function, method, object or a name, got table)\nstack traceback:\n\t[C]: in function 'help'\n\t(command line):1: in main chunk"))
        // Without docs: a message naming where it looked.
        let bare = LuaHost()
        bare.lua.push("tensor")
        let text = try Help.text(bare.lua, docs: nil, tried: ["/nowhere/docs/api"])
        XCTAssertTrue(text.hasPrefix("help: the docs (docs/api/*.md) were not found; looked in:\n  /nowhere/docs/api\n"), text)
        XCTAssertEqual(bare.runString("help(tensor)"), .error("(command line):1: attempt to call a nil value (global 'help')\nstack traceback:\n\t(command line):1: in main chunk"))
    }
}

import Foundation
import CLua
import CLuaShim
import DynLua

/// The interactive session, as in Lua's `lua`: a first line is tried as an expression (its values
/// are printed), then as a statement; an incomplete statement asks for more lines (prompt ">>").
/// A first line "=expr" is "return expr", as Lua 5.4 keeps for compatibility. Errors are shown
/// with their traceback (without the "dynlua:" prefix, as in `lua`) and the session goes on.
/// Ctrl-C at the prompt drops the pending input; end of input ends the session (reporting a
/// statement left incomplete).
struct Repl {
    let host: LuaHost
    /// Registry reference of the function that prints results (ValuePrinter), if it loaded.
    private let printer: Int32?

    init(host: LuaHost) {
        self.host = host
        printer = ValuePrinter.push(host) ? luaL_ref(host.L, dyn_registryindex()) : nil
        let (docs, tried) = DocsLibrary.locate(executable: Bundle.main.executablePath, environment: ProcessInfo.processInfo.environment)
        Help.register(host, docs: docs, tried: tried)
    }

    func run(reader: inout some LineReader) {
        var pending: String?  // the lines of an incomplete statement
        while true {
            switch reader.readLine(prompt: prompt(continuation: pending != nil)) {
            case .endOfFile:
                if let pending { reportIncomplete(pending) }
                return
            case .cancel: pending = nil
            case .line(let line):
                let code = pending.map { $0 + "\n" + line } ?? (line.hasPrefix("=") ? "return " + line.dropFirst() : line)
                pending = evaluate(code, firstLine: pending == nil) == .incomplete ? code : nil
            }
        }
    }

    enum Result { case done, incomplete }

    func evaluate(_ code: String, firstLine: Bool) -> Result {
        let L = host.L, lua = host.lua
        let base = lua.top
        defer { lua.setTop(base) }
        // An expression first, so that `1 + 2` prints 3.
        if !(firstLine && dyn_loadstring(L, "return " + code + ";", "=stdin") == LUA_OK) {
            if firstLine { lua.pop() }
            let status = dyn_loadstring(L, code, "=stdin")
            let message = lua.string(-1) ?? ""
            if status == LUA_ERRSYNTAX && message.hasSuffix("<eof>") { return .incomplete }
            if status != LUA_OK { Console.error(message, named: false); return .done }
        }
        switch host.call(nargs: 0, nresults: LUA_MULTRET) {
        case .ok:
            let n = lua.top - base
            guard n > 0 else { return .done }
            // Through print (plain tables shown by their contents), protected: a __tostring may raise.
            guard lua.ensureStack(1) else { Console.error("too many results to print", named: false); return .done }
            if let printer { lua_rawgeti(L, dyn_registryindex(), lua_Integer(printer)) } else { host.pushGlobal("print") }
            dyn_insert(L, base + 1)
            if case .error(let m) = host.call(nargs: n, nresults: 0) { Console.error("error calling 'print' (\(m))", named: false) }
        case .error(let m), .interrupted(let m):
            Console.error(m, named: false)
        }
        return .done
    }

    /// The syntax error of a statement that input ended in the middle of.
    private func reportIncomplete(_ code: String) {
        if dyn_loadstring(host.L, code, "=stdin") != LUA_OK { Console.error(host.lua.string(-1) ?? "", named: false) }
        host.lua.pop()
    }

    /// `tostring(_PROMPT)` / `tostring(_PROMPT2)` when set (as in `lua`: a table with
    /// `__tostring` works, called once per prompt), else "> " / ">> ". A failing `__tostring` is
    /// reported and the default used, so the session goes on.
    private func prompt(continuation: Bool) -> String {
        let lua = host.lua, base = lua.top
        defer { lua.setTop(base) }
        lua_pushcclosure(host.L, dyn_prompt_text, 0)
        lua.push(continuation ? "_PROMPT2" : "_PROMPT")
        switch host.call(nargs: 1, nresults: 1) {
        case .ok: if let custom = lua.string(-1) { return custom }
        case .error(let m), .interrupted(let m): Console.error(m, named: false)
        }
        return continuation ? ">> " : "> "
    }
}

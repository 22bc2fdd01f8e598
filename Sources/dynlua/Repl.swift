import CLua
import CLuaShim
import DynLua
import Foundation

/// The interactive session: each line is tried first as an expression (its values are printed),
/// then as a statement; an incomplete statement asks for more lines. Errors are shown and the
/// session goes on.
struct Repl {
    let host: LuaHost

    func run() {
        var editor = LineEditor()
        var buffer = ""
        while true {
            guard let line = editor.readLine(prompt: buffer.isEmpty ? "> " : ">> ") else {
                print("")
                return
            }
            buffer = buffer.isEmpty ? line : buffer + "\n" + line
            switch evaluate(buffer) {
            case .incomplete: continue
            case .done:
                editor.addHistory(buffer)
                buffer = ""
            }
        }
    }

    enum Result { case done, incomplete }

    func evaluate(_ code: String) -> Result {
        let L = host.L
        let lua = host.lua
        let base = lua.top
        // An expression first ("return <line>"), so that `1 + 2` prints 3.
        var status = dyn_loadstring(L, "return " + code, "=stdin")
        if status != LUA_OK {
            lua.pop()
            status = dyn_loadstring(L, code, "=stdin")
            if status == LUA_ERRSYNTAX, let m = lua.string(-1), m.hasSuffix("<eof>") {
                lua.pop()
                return .incomplete
            }
            if status != LUA_OK {
                printError(lua.string(-1) ?? "syntax error")
                lua.setTop(base)
                return .done
            }
        }
        switch host.call(nargs: 0, nresults: LUA_MULTRET) {
        case .ok:
            let n = lua.top - base
            if n > 0 {
                // Print through Lua's own print, protected: __tostring may raise.
                lua_getglobal(L, "print")
                dyn_insert(L, base + 1)
                if case .error(let m) = host.call(nargs: n, nresults: 0) { printError(m) }
            }
        case .error(let m), .interrupted(let m):
            printError(m)
        }
        lua.setTop(base)
        return .done
    }

    func printError(_ m: String) {
        FileHandle.standardError.write(Data("dynlua: \(m)\n".utf8))
    }
}

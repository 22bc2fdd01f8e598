import CLua
import CLuaShim
import CMemoryBudget
import DynCore
import Foundation

/// One Lua state with the standard libraries and every dynlua module preloaded as globals
/// (and as `require "dynlua"`). Runs chunks the way Lua's own `lua` does: under lua_pcall
/// with a traceback handler, Ctrl-C turned into an "interrupted" error by a hook.
public final class LuaHost {
    public let L: OpaquePointer
    public var lua: Lua { Lua(L) }

    /// What happened to a chunk.
    public enum Outcome: Equatable {
        case ok
        /// The message already includes the traceback (none for a syntax error, as in `lua`).
        case error(String)
        case interrupted(String)
    }

    public init() {
        guard let state = luaL_newstate() else { fatalError("dynlua: cannot create a Lua state (out of memory)") }
        L = state
        guard dyn_use_budget_allocator(L) != 0 else { fatalError("dynlua: cannot reserve memory for the Lua state") }
        guard dyn_openlibs(L) == LUA_OK else { fatalError("dynlua: cannot open the Lua standard libraries") }
        SystemInfo.useSingleThreadedBLASByDefault()
        MemoryPressure.installReclaim()
        Modules.registerAll(lua)
        dyn_install_interrupt_hook(L)
    }

    deinit { lua_close(L) }

    /// The process's memory limit in bytes (nil: none), `dynlua --max-memory`: tensor storage
    /// (with the models, optimizer state and data built of it) and every Lua heap together.
    public static var memoryLimit: Int? {
        get { dyn_budget_limit() == 0 ? nil : Int(dyn_budget_limit()) }
        set { dyn_budget_set_limit(newValue.map { size_t(max($0, 1)) } ?? 0) }
    }

    /// Sets the global `arg` as the standalone interpreter does: arg[0] is the script (the
    /// interpreter when there is none), positive indices what follows it, negative ones what
    /// precedes it.
    public func setArgs(all: [String], scriptIndex: Int) {
        lua.newTable(array: max(all.count - scriptIndex - 1, 0), hash: scriptIndex + 1)
        for (i, a) in all.enumerated() {
            lua.push(a)
            lua_rawseti(L, -2, lua_Integer(i - scriptIndex))
        }
        setGlobal("arg")
    }

    /// Turns Lua warnings (`warn`) on, as `lua -W` does.
    public func enableWarnings() { lua_warning(L, "@on", 0) }

    /// Loads a file (nil: standard input, chunk name "stdin") and runs it with `args` as `...`.
    public func runFile(_ path: String?, args: [String] = []) -> Outcome {
        let status = path.map { luaL_loadfilex(L, $0, nil) } ?? luaL_loadfilex(L, nil, nil)
        if status != LUA_OK { return popError() }
        guard lua.ensureStack(Int32(args.count) + 1) else { lua.pop(); return .error("too many arguments to script") }
        for a in args { lua.push(a) }
        return call(nargs: Int32(args.count), nresults: 0)
    }

    /// Runs a string of Lua code as a chunk named `name`.
    public func runString(_ code: String, name: String = "=(command line)") -> Outcome {
        if dyn_loadstring(L, code, name) != LUA_OK { return popError() }
        return call(nargs: 0, nresults: 0)
    }

    /// `lua -l`: `require(module)` and stores the result in the global `global`.
    public func require(_ module: String, as global: String) -> Outcome {
        pushGlobal("require")
        lua.push(module)
        let outcome = call(nargs: 1, nresults: 1)
        if outcome == .ok { setGlobal(global) }
        return outcome
    }

    /// Pushes the global `name` without running metamethods of `_G` (they could raise).
    public func pushGlobal(_ name: String) {
        lua_rawgeti(L, dyn_registryindex(), lua_Integer(LUA_RIDX_GLOBALS))
        _ = lua.getField(-1, name)
        dyn_remove(L, -2)
    }

    /// Pops the top value into the global `name`, without metamethods.
    public func setGlobal(_ name: String) {
        lua_rawgeti(L, dyn_registryindex(), lua_Integer(LUA_RIDX_GLOBALS))
        dyn_insert(L, -2)
        lua.setField(-2, name)
        lua.pop()
    }

    /// Calls the function below `nargs` arguments on the stack with a traceback handler and
    /// Ctrl-C armed. Leaves the results on the stack on success.
    public func call(nargs: Int32, nresults: Int32) -> Outcome {
        let base = lua.top - nargs
        lua_pushcclosure(L, dyn_traceback, 0)
        dyn_insert(L, base)
        dyn_clear_interrupt()
        dyn_install_sigint_handler()
        let status = dyn_pcall(L, nargs, nresults, base)
        dyn_restore_sigint_handler()
        dyn_remove(L, base)
        return status == LUA_OK ? .ok : popError()
    }

    func popError() -> Outcome {
        var message = lua.string(-1) ?? "(error object is a \(lua.typeName(-1)) value)"
        // Lua's own message for a refused block cannot say why; say it here.
        if dyn_take_limit_refusal() != 0, message.hasPrefix("not enough memory"), let limit = LuaHost.memoryLimit {
            message = "memory limit of \(byteText(limit)) exceeded by Lua's heap (not enough memory)" + message.dropFirst("not enough memory".count)
        }
        lua.pop()
        return dyn_interrupt_raised() != 0 ? .interrupted(message) : .error(message)
    }
}

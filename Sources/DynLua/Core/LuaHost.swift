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

    /// How the state is set up (the command line's -E, --bytecode and --sandbox).
    public struct Settings {
        /// Ignore LUA_PATH, LUA_CPATH and their _5_4 forms (`lua -E`).
        public var ignoreEnvironment = false
        /// Let load, loadfile, dofile, require and scripts take binary chunks. Off by default:
        /// Lua does not check them, and a corrupted one can crash the process.
        public var allowBytecode = false
        /// Confine files to these trees and drop what runs programs or native code; also sets
        /// `FileAccess.policy` (process-wide) so that dynlua's readers and writers obey it.
        public var sandbox: SandboxPolicy?

        public init(ignoreEnvironment: Bool = false, allowBytecode: Bool = false, sandbox: SandboxPolicy? = nil) {
            self.ignoreEnvironment = ignoreEnvironment
            self.allowBytecode = allowBytecode
            self.sandbox = sandbox
        }
    }

    public let settings: Settings

    public init(_ settings: Settings = Settings()) {
        precondition(settings.sandbox == nil || !settings.allowBytecode, "the sandbox loads text chunks only")
        self.settings = settings
        guard let state = luaL_newstate() else { fatalError("dynlua: cannot create a Lua state (out of memory)") }
        L = state
        guard dyn_use_budget_allocator(L) != 0 else { fatalError("dynlua: cannot reserve memory for the Lua state") }
        if settings.ignoreEnvironment {
            // The package library reads this registry field when it sets package.path/cpath.
            lua.push(true)
            lua.setField(dyn_registryindex(), "LUA_NOENV")
        }
        guard dyn_openlibs(L) == LUA_OK, dyn_guard_exit(L) == LUA_OK, dyn_guard_debug(L) == LUA_OK else {
            fatalError("dynlua: cannot open the Lua standard libraries")
        }
        if let sandbox = settings.sandbox {
            FileAccess.policy = sandbox.refusal
            dyn_set_path_policy(pathPolicyBridge)
            guard dyn_enter_sandbox(L) == LUA_OK else { fatalError("dynlua: cannot set up the sandbox") }
        } else if !settings.allowBytecode {
            guard dyn_load_text_only(L) == LUA_OK else { fatalError("dynlua: cannot set up text-only loading") }
        }
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

    /// Loads a file (nil: standard input, chunk name "stdin") and runs it with no arguments.
    public func runFile(_ path: String?) -> Outcome {
        guard load(path) else { return popError() }
        return call(nargs: 0, nresults: 0)
    }

    /// Runs the script at `path` (nil: standard input) as `lua` does: its `...` are arg[1] ..
    /// arg[#arg], read from the global `arg` once the file is loaded, so that -e code before it
    /// can change them. With `results` > 0 that many of the chunk's results are left on the
    /// stack on success (`dynlua sweep` reads the table a script returns).
    public func runScript(_ path: String?, results: Int32 = 0) -> Outcome {
        guard load(path) else { return popError() }
        var count: Int32 = 0
        guard dyn_push_script_arguments(L, &count) == LUA_OK else {
            let message = lua.string(-1) ?? "(error object is a \(lua.typeName(-1)) value)"
            lua.pop(2)  // the message and the chunk
            return .error(message)
        }
        return call(nargs: count, nresults: results)
    }

    /// Pushes the chunk in `path` (nil: standard input), or the error message.
    private func load(_ path: String?) -> Bool {
        let mode = settings.allowBytecode ? nil : "t"
        let status = path.map { luaL_loadfilex(L, $0, mode) } ?? luaL_loadfilex(L, nil, mode)
        if status != LUA_OK { dyn_explain_binary_refusal(L) }
        return status == LUA_OK
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
    /// Ctrl-C armed. Leaves the results on the stack on success. Once an interrupt was raised
    /// the outcome is `.interrupted` (with nothing left on the stack), even when the code
    /// caught it and ended normally.
    public func call(nargs: Int32, nresults: Int32) -> Outcome {
        let base = lua.top - nargs
        lua_pushcclosure(L, dyn_traceback, 0)
        dyn_insert(L, base)
        dyn_clear_interrupt()
        dyn_install_sigint_handler()
        let status = dyn_pcall(L, nargs, nresults, base)
        dyn_restore_sigint_handler()
        dyn_remove(L, base)
        if status != LUA_OK { return popError() }
        guard dyn_interrupt_raised() == 0 else {
            lua.setTop(base - 1)  // no results: the call failed, as far as callers are concerned
            return .interrupted("interrupted")
        }
        return .ok
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

/// Lets the C side of the sandbox (Lua's io and os functions) ask `FileAccess.policy`, the one
/// policy dynlua's own readers and writers ask too. A path that is not valid UTF-8 is refused:
/// judging a lossy decoding of it could approve a different file than the one opened.
private let pathPolicyBridge: dyn_path_policy = { path, length, writing, reason, capacity in
    guard let policy = FileAccess.policy, let path, let reason, capacity > 0 else { return 1 }
    let bytes = UnsafeRawBufferPointer(start: path, count: length)
    let name = String(decoding: bytes, as: UTF8.self)
    let why = name.utf8.elementsEqual(bytes) ? policy(name, writing != 0) : "the file name is not valid UTF-8"
    guard let why else { return 1 }
    let text = why.utf8.prefix(capacity - 1)
    for (i, byte) in text.enumerated() { reason[i] = CChar(bitPattern: byte) }
    reason[text.count] = 0
    return 0
}

import CLua
import CLuaShim

/// An error raised by a Lua function that Swift called; the message ends with a traceback.
public struct LuaCallbackError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// A Lua function kept by Swift (through a registry reference) and called from Swift with
/// lua_pcall and a traceback handler, so a Lua error becomes a thrown `LuaCallbackError`
/// instead of a longjmp across Swift frames. Used for Lua-written schedules and hooks.
///
/// A call runs on the thread of the binding call running it (`dyn_running_state`: the
/// coroutine that called train.fit or `s(step)`), which is alive for as long as that call is;
/// outside any binding call, on the main thread. The callback never keeps a thread of its own:
/// a coroutine it was made or last used in may be collected long before it is called again.
/// The reference is released through the main thread, which lives as long as the state.
public final class LuaCallback {
    private let function: LuaReference
    /// Names the owner in error messages ("schedule.custom").
    public let name: String

    /// Keeps the function at stack index `index` (which must hold a function).
    public init(_ lua: Lua, function index: Int32, name: String) {
        precondition(lua.isFunction(index))
        function = LuaReference(lua, index)
        self.name = name
    }

    /// Calls the function with the arguments `pushArguments` pushes (it returns their count),
    /// then runs `read` with the `results` results on the stack top (indices -results...-1).
    /// The stack is restored afterwards, whatever happens.
    public func call<R>(results: Int32, pushArguments: (Lua) -> Int32, read: (Lua) throws -> R) throws -> R {
        let thread = dyn_running_state() ?? function.main
        let lua = Lua(thread)
        let base = lua.top
        defer { lua.setTop(base) }
        guard lua.ensureStack(results + 24) else {
            throw LuaCallbackError(message: "\(name): Lua stack overflow")
        }
        lua_pushcclosure(thread, dyn_traceback, 0)
        function.push(lua)
        let nargs = pushArguments(lua)
        if dyn_pcall(thread, nargs, results, base + 1) != LUA_OK {
            let message = lua.string(-1) ?? "(error object is a \(lua.typeName(-1)) value)"
            throw LuaCallbackError(message: message)
        }
        return try read(lua)
    }
}

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
/// `thread` is the Lua thread calls run on: a binding that receives or uses the callback
/// sets it to its own state (`rebind`), so a callback made in one coroutine and called from
/// another runs on the caller's stack. The reference is released through the main thread,
/// which lives as long as the state.
public final class LuaCallback {
    public private(set) var thread: OpaquePointer
    private let main: OpaquePointer
    private let ref: Int32
    /// Names the owner in error messages ("schedule.custom").
    public let name: String

    /// Keeps the function at stack index `index` (which must hold a function).
    public init(_ lua: Lua, function index: Int32, name: String) {
        precondition(lua.isFunction(index))
        thread = lua.L
        lua_rawgeti(lua.L, dyn_registryindex(), lua_Integer(LUA_RIDX_MAINTHREAD))
        main = lua_tothread(lua.L, -1)!
        lua.pop()
        lua.pushValue(index)
        ref = luaL_ref(lua.L, dyn_registryindex())
        self.name = name
    }

    deinit { luaL_unref(main, dyn_registryindex(), ref) }

    public func rebind(_ lua: Lua) { thread = lua.L }

    /// Calls the function with the arguments `pushArguments` pushes (it returns their count),
    /// then runs `read` with the `results` results on the stack top (indices -results...-1).
    /// The stack is restored afterwards, whatever happens.
    public func call<R>(results: Int32, pushArguments: (Lua) -> Int32, read: (Lua) throws -> R) throws -> R {
        let lua = Lua(thread)
        let base = lua.top
        defer { lua.setTop(base) }
        guard lua.ensureStack(results + 24) else {
            throw LuaCallbackError(message: "\(name): Lua stack overflow")
        }
        lua_pushcclosure(thread, dyn_traceback, 0)
        lua_rawgeti(thread, dyn_registryindex(), lua_Integer(ref))
        let nargs = pushArguments(lua)
        if dyn_pcall(thread, nargs, results, base + 1) != LUA_OK {
            let message = lua.string(-1) ?? "(error object is a \(lua.typeName(-1)) value)"
            throw LuaCallbackError(message: message)
        }
        return try read(lua)
    }
}

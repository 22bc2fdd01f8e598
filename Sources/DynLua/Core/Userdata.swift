import CLua
import CLuaShim
import DynCore

/// Swift objects owned by Lua userdata. The block holds one retained pointer; it is created
/// empty (NULL), the metatable is set, and only then is the object attached, so that a
/// collection at any point sees a consistent value. `__gc` and `__close` share one idempotent
/// release; a released value reads as "closed" and is never touched again.
public enum Userdata {
    /// Pushes a new userdata owning `object`, with the metatable registered under `metatable`.
    /// Whatever tensor storage the object brought with it (a tensor, a model's parameters and
    /// buffers, an optimizer's state, a loaded checkpoint) is reported to the collector here,
    /// the one place every userdata is made.
    public static func push<T: AnyObject>(_ lua: Lua, _ object: T, metatable: String) {
        let block = dyn_newuserdata(lua.L, MemoryLayout<UnsafeMutableRawPointer?>.size, 1)!
            .assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
        block.pointee = nil
        dyn_setmetatable_named(lua.L, metatable)
        block.pointee = Unmanaged.passRetained(object).toOpaque()
        MemoryPressure.report(lua)
    }

    /// True when the value at i is a userdata with the named metatable, and the size of ours
    /// (`debug.setmetatable` can give our metatable to a foreign userdata, such as a file).
    public static func has(_ lua: Lua, _ i: Int32, metatable: String) -> Bool {
        guard lua_type(lua.L, i) == LUA_TUSERDATA, lua_rawlen(lua.L, i) == MemoryLayout<UnsafeMutableRawPointer?>.size,
              lua_getmetatable(lua.L, i) != 0 else { return false }
        dyn_getmetatable_named(lua.L, metatable)
        let same = lua_rawequal(lua.L, -1, -2) != 0
        lua.pop(2)
        return same
    }

    public enum Lookup<T> { case object(T), closed, otherType }

    public static func get<T: AnyObject>(_ lua: Lua, _ i: Int32, metatable: String, as: T.Type) -> Lookup<T> {
        guard has(lua, i, metatable: metatable) else { return .otherType }
        let block = lua_touserdata(lua.L, i)!.assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
        guard let p = block.pointee else { return .closed }
        return .object(Unmanaged<T>.fromOpaque(p).takeUnretainedValue())
    }

    /// Releases the object of the userdata at i, if any (shared by __gc and __close). Anything
    /// but a userdata of this metatable is left alone: `__gc` can be called by hand with any
    /// value (`getmetatable(t).__gc(io.stdout)`), and a foreign block holds no Swift object.
    public static func release<T: AnyObject>(_ lua: Lua, _ i: Int32, metatable: String, as: T.Type) {
        guard has(lua, i, metatable: metatable), let raw = lua_touserdata(lua.L, i) else { return }
        let block = raw.assumingMemoryBound(to: UnsafeMutableRawPointer?.self)
        guard let p = block.pointee else { return }
        block.pointee = nil
        Unmanaged<T>.fromOpaque(p).release()
    }
}

/// Makes tensor memory visible to Lua's collector: whenever tensor storage has grown since the
/// last report, the collector is told as if Lua had allocated that many bytes itself, so a loop
/// creating temporaries collects them at the rate it creates them.
enum MemoryPressure {
    nonisolated(unsafe) static var reported = 0

    /// Lets a storage allocation that would pass the memory limit first collect garbage on the
    /// thread of the running binding call (unreachable tensors and models are freed by their
    /// finalizers), then try again.
    static func installReclaim() {
        Storage.reclaim = {
            if let L = dyn_running_state() { dyn_gc_collect(L) }
        }
    }

    static func report(_ lua: Lua) {
        let live = Storage.liveBytes
        let grown = live - reported
        if grown >= 1024 {
            reported = live
            dyn_gc_step(lua.L, Int32(min(grown / 1024, Int(Int32.max))))
        } else if grown < 0 {
            reported = live
        }
    }
}

import DynLua
import Foundation

/// LUA_INIT_5_4, or else LUA_INIT, run as `lua` runs it: after `arg` is set and before the
/// options' code. "@file" runs the file; anything else is Lua code in a chunk named after the
/// variable, so that its errors read "LUA_INIT:1: message". (5_4: the Lua version dynlua embeds.)
func runLuaInit(_ host: LuaHost) -> LuaHost.Outcome {
    for name in ["LUA_INIT_5_4", "LUA_INIT"] {
        guard let value = getenv(name).map({ String(cString: $0) }) else { continue }
        if value.hasPrefix("@") { return host.runFile(String(value.dropFirst())) }
        return host.runString(value, name: "=" + name)
    }
    return .ok
}

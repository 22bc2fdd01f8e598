import DynCore

/// The `sys` table: timing, threading and the BLAS in use, for benchmarks and long runs; a
/// script's parameters (`sys.params`, SysParams.swift).
enum SysModule {
    static let functions: [(String, LuaBody)] = [
        ("clock", { guarded($0) { lua in lua.push(SystemInfo.wallClock()); return 1 } }),
        ("blas_threads", { guarded($0) { lua in
            if !lua.isNoneOrNil(1) {
                let n = try lua.checkInteger(1)
                guard n >= 1 else { throw LuaFailure.argument(1, "thread count must be >= 1, got \(n)") }
                _ = try SystemInfo.setBLASThreads(n)
            }
            lua.push(SystemInfo.blasThreads); return 1
        } }),
        ("threads", { guarded($0) { lua in
            if !lua.isNoneOrNil(1) {
                let n = try lua.checkInteger(1)
                guard n >= 1 else { throw LuaFailure.argument(1, "thread count must be >= 1, got \(n)") }
                try Parallel.setThreads(n)
            }
            lua.push(Parallel.threads); return 1
        } }),
        ("blas", { guarded($0) { lua in
            lua.newTable(hash: 4)
            lua.push(BLASInfo.library); lua.setField(-2, "library")
            lua.push(BLASInfo.version); lua.setField(-2, "version")
            lua.push(BLASInfo.core); lua.setField(-2, "core")
            lua.push(SystemInfo.blasThreads); lua.setField(-2, "threads")
            return 1
        } }),
        ("params", SysParams.body),
    ]

    static func register(_ lua: Lua) {
        lua.newTable()
        lua.setFunctions(-1, functions)
    }
}

import XCTest
@testable import DynLua

/// Runs every Tests/Lua/*_test.lua file through the real interpreter. A script fails by raising
/// an error (typically from the `check` helpers in Tests/Lua/check.lua); the message and
/// traceback become the test failure.
final class LuaScriptTests: XCTestCase {
    static let luaDir = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Lua")

    func testLuaScripts() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.luaDir.path)
            .filter { $0.hasSuffix("_test.lua") }.sorted()
        XCTAssertFalse(files.isEmpty, "no Lua test scripts found in \(Self.luaDir.path)")
        for file in files {
            let host = LuaHost()
            XCTAssertEqual(host.runString("package.path = '\(Self.luaDir.path)/?.lua;' .. package.path"), .ok)
            let outcome = host.runFile(Self.luaDir.appendingPathComponent(file).path)
            if case .ok = outcome { continue }
            XCTFail("\(file): \(outcome)")
        }
    }
}

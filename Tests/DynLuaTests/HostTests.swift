import XCTest
@testable import DynLua
import DynCore
import Foundation

final class HostTests: XCTestCase {
    func testRunsAChunk() {
        let host = LuaHost()
        XCTAssertEqual(host.runString("x = 1 + 1 assert(x == 2)"), .ok)
    }
}

/// A sandboxed host confines dynlua's own readers and writers too: it sets the policy that
/// `FileAccess.check` asks.
final class SandboxHostTests: XCTestCase {
    override func tearDown() { FileAccess.policy = nil }

    func testSandboxSetsTheFileAccessPolicy() throws {
        let work = FileManager.default.temporaryDirectory.resolvingSymlinksInPath().path
        let host = LuaHost(.init(sandbox: try SandboxPolicy(workingDirectory: work)))
        XCTAssertNoThrow(try FileAccess.check(work + "/model.dyn", writing: true, op: "m:save"))
        XCTAssertThrowsError(try FileAccess.check("/etc/model.dyn", writing: true, op: "m:save")) {
            XCTAssertEqual("\($0)", "m:save: '/etc/model.dyn' is outside the directories the sandbox allows (\(work))")
        }
        XCTAssertEqual(host.runString("assert(select(2, pcall(io.popen, 'ls')) == 'io.popen is not available in the sandbox')"), .ok)
    }
}

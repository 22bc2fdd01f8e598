import XCTest
@testable import DynLua

final class HostTests: XCTestCase {
    func testRunsAChunk() {
        let host = LuaHost()
        XCTAssertEqual(host.runString("x = 1 + 1 assert(x == 2)"), .ok)
    }
}

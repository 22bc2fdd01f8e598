import XCTest
import CLua
@testable import DynLua
@testable import DynCore

/// `checkSchedule` turns a Lua function or schedule userdata on the stack into a DynCore
/// WeightSchedule, the way train.fit will use it.
final class ScheduleBindingTests: XCTestCase {
    func schedule(_ host: LuaHost, _ code: String, classes: Int? = nil) throws -> any WeightSchedule {
        XCTAssertEqual(host.runString("value = " + code), .ok)
        lua_getglobal(host.L, "value")
        defer { host.lua.pop() }
        return try host.lua.checkSchedule(-1, classes: classes)
    }

    func testLuaFunctionWritesIntoTheCallersBuffer() throws {
        let host = LuaHost()
        let s = try schedule(host, "function(step) return {step, 2 * step, 0.5} end", classes: 3)
        let top = host.lua.top
        var w = [Double](repeating: 0, count: 3)
        try w.withUnsafeMutableBufferPointer { try s.weights(step: 4, into: $0) }
        XCTAssertEqual(w, [4, 8, 0.5])
        XCTAssertEqual(host.lua.top, top, "the Lua stack is restored")
        XCTAssertEqual(try s.focus(step: 4), 1)
        let fromTensor = try schedule(host, "function(step) return tensor.new({1, step}, 'float32') end")
        XCTAssertEqual(fromTensor.classes, 0)  // not known until the first result
        var two = [Double](repeating: 0, count: 2)
        try two.withUnsafeMutableBufferPointer { try fromTensor.weights(step: 3, into: $0) }
        XCTAssertEqual(two, [1, 3])
        XCTAssertEqual(fromTensor.classes, 2)
    }

    func testErrorsNameTheStepAndCarryTheTraceback() throws {
        let host = LuaHost()
        let s = try schedule(host, "function(step) if step == 7 then error('no weights today') end return {1, 1} end", classes: 2)
        XCTAssertThrowsError(try s.weights(step: 7)) { e in
            let m = String(describing: e)
            XCTAssertTrue(m.contains("error in the schedule function at step 7"), m)
            XCTAssertTrue(m.contains("no weights today"), m)
            XCTAssertTrue(m.contains("stack traceback:"), m)
        }
        XCTAssertEqual(try s.weights(step: 8), [1, 1])
        let wrongCount = try schedule(host, "function(step) return {1, 2, 3} end", classes: 2)
        XCTAssertThrowsError(try wrongCount.weights(step: 5)) {
            XCTAssertEqual(String(describing: $0), "weights: at step 5, the function returned 3 weights, expected 2 (one per class)")
        }
        let notNumber = try schedule(host, "function(step) return {1, 'x'} end")
        XCTAssertThrowsError(try notNumber.weights(step: 2)) {
            XCTAssertEqual(String(describing: $0), "weights: at step 2, weight 2 is a string, expected a number")
        }
        let negative = try schedule(host, "function(step) return {1, -1} end")
        XCTAssertThrowsError(try negative.weights(step: 2)) {
            XCTAssertEqual(String(describing: $0), "weights: at step 2, weight 2 is -1.0, expected a finite number >= 0")
        }
        XCTAssertEqual(host.lua.top, 0)
    }

    func testScheduleUserdataIsAccepted() throws {
        let host = LuaHost()
        let s = try schedule(host, "schedule.triangular{classes=3, amplitude=70, period=5000}")
        XCTAssertTrue(s is TriangularSchedule)
        XCTAssertEqual(try s.weights(step: 2), [1.0182322631787555, 0.9908838684106223, 0.9908838684106223])
        XCTAssertThrowsError(try schedule(host, "42")) {
            guard case LuaFailure.argument(_, let m) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(m, "schedule or function expected, got number")
        }
    }
}

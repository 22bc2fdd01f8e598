import XCTest
@testable import DynCore

/// The square wave, the random focus order and products, in DynCore alone.
final class ScheduleShapeTests: XCTestCase {
    func testSquareWaveRawWeights() throws {
        let c = try FocusCycle(classes: 2, amplitude: 6, period: 5, normalize: false, function: "t")
        let s = try SquareSchedule(c, duty: 0.4, function: "t")
        // tau < 0.4 * 5 = 2: steps 1 and 2 of each period.
        XCTAssertEqual(try s.weights(step: 1), [6, 1])
        XCTAssertEqual(try s.weights(step: 2), [6, 1])
        XCTAssertEqual(try s.weights(step: 3), [1, 1])
        XCTAssertEqual(try s.weights(step: 6), [1, 6])
        XCTAssertEqual(try s.focus(step: 5), 0)
        XCTAssertThrowsError(try SquareSchedule(c, duty: 0, function: "t"))
    }

    /// Classes of periods 0..11 for seed 0 and C = 3, from an independent Python implementation
    /// of SplitMix64 and xoshiro256** (see schedule_shapes_test.lua).
    func testRandomOrderMatchesReference() {
        let order = FocusOrder.random(seed: 0)
        let got = (0..<12).map { order.focusedClass(period: $0, classes: 3) + 1 }
        XCTAssertEqual(got, [1, 3, 3, 1, 2, 1, 2, 3, 1, 3, 2, 2])
        XCTAssertEqual(FocusOrder.cycling.focusedClass(period: 7, classes: 3), 1)
    }

    func testProductMultipliesClassByClass() throws {
        let a = TriangularSchedule(try FocusCycle(classes: 3, amplitude: 5, period: 4, normalize: false, function: "t"))
        let b = try ConstantSchedule(classes: 3)
        let p = try ProductSchedule(a, b, factor: 2)
        // tau = 1: 1 + 1 * 2(5-1)/4 = 3 for class 1.
        XCTAssertEqual(try p.weights(step: 2), [6, 2, 2])
        XCTAssertEqual(try p.focus(step: 2), 0)
        XCTAssertNil(try p.focus(step: 1))
        XCTAssertThrowsError(try ProductSchedule(a, try ConstantSchedule(classes: 2)))
        XCTAssertThrowsError(try ProductSchedule(a, nil, factor: -1))
    }
}

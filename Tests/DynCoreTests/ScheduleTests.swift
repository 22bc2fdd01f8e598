import XCTest
@testable import DynCore

final class ScheduleTests: XCTestCase {
    /// The paper's Fig. 4 setting: C = 3, A = 70, T = 5000.
    func paperTriangular(normalize: Bool = true, staticAfter: Int? = nil) throws -> TriangularSchedule {
        TriangularSchedule(try FocusCycle(classes: 3, amplitude: 70, period: 5000, normalize: normalize,
                                          staticAfter: staticAfter, function: "test"))
    }

    /// Reference values: /work/shared/bench/fig4_torch.py's gamma(tau, k, 70.0) evaluated in
    /// python3 with numpy float64 (w first, then g / g.sum() * C), printed with repr, for
    /// tau = (step-1) mod 5000 and k = floor((step-1)/5000) mod 3. Compared bit for bit.
    func testTriangularMatchesReferenceFormulaBitForBit() throws {
        let s = try paperTriangular()
        let expected: [(Int, [Double])] = [
            (1, [1.0, 1.0, 1.0]),
            (2, [1.0182322631787555, 0.9908838684106223, 0.9908838684106223]),
            (2500, [2.916634709972156, 0.04168264501392201, 0.04168264501392201]),
            (2501, [2.9166666666666665, 0.041666666666666664, 0.041666666666666664]),
            // Here g * C / sum would give 2.9166347099721563 instead: the order matters.
            (2502, [2.916634709972156, 0.041682645013922, 0.041682645013922]),
            (5000, [1.01823226317876, 0.9908838684106201, 0.9908838684106201]),
            (5001, [1.0, 1.0, 1.0]),
            (12345, [0.04431681202581011, 0.04431681202581011, 2.9113663759483797]),
        ]
        for (step, want) in expected {
            XCTAssertEqual(try s.weights(step: step), want, "step \(step)")
        }
    }

    func testTriangularRawWeightsAndFocus() throws {
        let s = try paperTriangular(normalize: false)
        // s = 2 * 69 / 5000 = 0.0276: tau = 1 gives 1.0276; tau = 2500 = T/2 takes the falling
        // branch 2A - tau*s - 1 = 140 - 69 - 1 = 70 (the peak A).
        XCTAssertEqual(try s.weights(step: 2), [1.0276, 1, 1])
        XCTAssertEqual(try s.weights(step: 2501), [70, 1, 1])
        XCTAssertEqual(s.rawWeight(tau: 0), 1)
        XCTAssertEqual(try s.focus(step: 1), 0)
        XCTAssertEqual(try s.focus(step: 5000), 0)
        XCTAssertEqual(try s.focus(step: 5001), 1)
        XCTAssertEqual(try s.focus(step: 10001), 2)
        XCTAssertEqual(try s.focus(step: 15001), 0)  // the cycle wraps after C periods
    }

    func testNormalizedWeightsSumToC() throws {
        let s = try paperTriangular()
        for step in stride(from: 1, to: 15001, by: 377) {
            XCTAssertEqual(try s.weights(step: step).reduce(0, +), 3, accuracy: 1e-14, "step \(step)")
        }
    }

    func testStaticAfter() throws {
        let s = try paperTriangular(staticAfter: 10001)
        // Step 10000 is the last of class 2's period (tau = 4999), as in the reference at step 5000.
        XCTAssertEqual(try s.weights(step: 10000), [0.9908838684106201, 1.01823226317876, 0.9908838684106201])
        XCTAssertEqual(try s.weights(step: 10001), [1, 1, 1])
        XCTAssertEqual(try s.weights(step: 12501), [1, 1, 1])
        XCTAssertEqual(try s.focus(step: 10000), 1)
        XCTAssertNil(try s.focus(step: 10001))
    }

    /// Reference: python3, T = 10, A = 5, C = 4: w = 1 + (A-1)*(s*s) with s = math.sin(pi*tau/T),
    /// then numpy g / g.sum() * C.
    func testSineSchedule() throws {
        let s = SineSchedule(try FocusCycle(classes: 4, amplitude: 5, period: 10, function: "test"))
        let expected: [(Int, [Double])] = [
            (1, [1, 1, 1, 1]),
            (3, [1.7703315154878356, 0.7432228281707215, 0.7432228281707215, 0.7432228281707215]),
            (6, [2.5, 0.5, 0.5, 0.5]),
            (14, [0.6044091050000145, 2.1867726849999567, 0.6044091050000145, 0.6044091050000145]),
            (40, [0.9128322743103303, 0.9128322743103303, 0.9128322743103303, 1.2615031770690093]),
        ]
        for (step, want) in expected {
            let got = try s.weights(step: step)
            for c in 0..<4 { XCTAssertEqual(got[c], want[c], accuracy: 1e-15, "step \(step) class \(c + 1)") }
        }
        XCTAssertEqual(s.rawWeight(tau: 5), 5)  // sin^2(pi/2) = 1: the peak A
        XCTAssertEqual(try s.focus(step: 40), 3)
    }

    func testConstant() throws {
        let s = try ConstantSchedule(classes: 4)
        XCTAssertEqual(try s.weights(step: 123), [1, 1, 1, 1])
        XCTAssertNil(try s.focus(step: 5))
        XCTAssertThrowsError(try ConstantSchedule(classes: 0))
    }

    func testBadOptionsAndSteps() throws {
        XCTAssertThrowsError(try FocusCycle(classes: 0, amplitude: 2, period: 5, function: "f")) {
            XCTAssertEqual(($0 as? TensorError)?.message, "f: classes must be >= 1, got 0")
        }
        XCTAssertThrowsError(try FocusCycle(classes: 3, amplitude: 0.5, period: 5, function: "f"))
        XCTAssertThrowsError(try FocusCycle(classes: 3, amplitude: .nan, period: 5, function: "f"))
        XCTAssertThrowsError(try FocusCycle(classes: 3, amplitude: 2, period: 0, function: "f"))
        XCTAssertThrowsError(try FocusCycle(classes: 3, amplitude: 2, period: 5, staticAfter: 0, function: "f"))
        let s = try paperTriangular()
        XCTAssertThrowsError(try s.weights(step: 0)) {
            XCTAssertEqual(($0 as? TensorError)?.message, "schedule: step must be >= 1, got 0")
        }
        var small = [Double](repeating: 0, count: 2)
        XCTAssertThrowsError(try small.withUnsafeMutableBufferPointer { try s.weights(step: 1, into: $0) })
    }
}

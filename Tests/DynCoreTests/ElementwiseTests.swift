import Foundation
import XCTest
@testable import DynCore

/// Every element-wise kernel against closed forms, on both dtypes, on contiguous and strided
/// (transposed, narrowed) inputs.
final class ElementwiseTests: XCTestCase {
    let xs: [Double] = [-2.5, -1, -0.25, 0, 0.5, 3]

    /// The same 2x3 values as a contiguous tensor, a transposed view and a narrowed view.
    func layouts(_ v: [Double], _ dtype: DType) throws -> [(String, Tensor)] {
        let padded = try T([v[0], v[1], v[2], 99, v[3], v[4], v[5], 99], [2, 4], dtype)
        return [("contiguous", try T(v, [2, 3], dtype)),
                ("transposed", transposedView(v, rows: 2, cols: 3, dtype)),
                ("narrowed", try! padded.narrow(1, start: 0, length: 3))]
    }

    func testUnaryOps() throws {
        let cases: [(UnaryOp, (Double) -> Double)] = [
            (.neg, { -$0 }), (.exp, { Foundation.exp($0) }), (.abs, { Swift.abs($0) }), (.tanh, { Foundation.tanh($0) }),
            (.sigmoid, { 1 / (1 + Foundation.exp(-$0)) }), (.relu, { Swift.max($0, 0) }),
            (.clamp(-1, 0.25), { Swift.min(Swift.max($0, -1), 0.25) }), (.pow(2), { $0 * $0 }),
        ]
        for dtype in allDTypes {
            for (name, t) in try layouts(xs, dtype) {
                for (op, f) in cases {
                    let want = xs.map { dtype == .float32 ? Double(Float(f($0))) : f($0) }
                    assertTensor(try t.map(op), want, shape: [2, 3], dtype: dtype, tol: tolerance(dtype), "\(op) \(name)")
                }
            }
        }
    }

    func testLogSqrtAndDomainEdges() throws {
        for dtype in allDTypes {
            let t = try T([0, 1, 4, M_E, -1], [5], dtype)
            assertTensor(try t.map(.log), [-.infinity, 0, Foundation.log(4), 1, .nan], shape: [5], tol: tolerance(dtype))
            assertTensor(try t.map(.sqrt), [0, 1, 2, M_E.squareRoot(), .nan], shape: [5], tol: tolerance(dtype))
            assertTensor(try t.map(.pow(0.5)), [0, 1, 2, M_E.squareRoot(), .nan], shape: [5], tol: tolerance(dtype))
            assertTensor(try t.map(.pow(-1)), [.infinity, 1, 0.25, 1 / M_E, -1], shape: [5], tol: tolerance(dtype))
        }
    }

    func testSigmoidIsStableForLargeInputs() throws {
        for dtype in allDTypes {
            let s = try T([-1000, -50, 0, 50, 1000], [5], dtype).map(.sigmoid)
            assertTensor(s, [0, 1 / (1 + exp(50)), 0.5, 1 / (1 + exp(-50)), 1], shape: [5], tol: tolerance(dtype))
            XCTAssertFalse(s.toArray().contains { $0.isNaN })
        }
    }

    func testNaNPropagates() throws {
        let t = try T([.nan], [1])
        for op: UnaryOp in [.neg, .exp, .abs, .tanh, .sigmoid, .relu, .clamp(0, 1), .sqrt] {
            XCTAssertTrue(try t.map(op).toArray()[0].isNaN, "\(op)")
        }
    }

    func testBinaryOpsTensorTensor() throws {
        let ys: [Double] = [2, -4, 0.5, 1, 0.5, 3]
        let cases: [(BinaryOp, (Double, Double) -> Double)] = [
            (.add, +), (.sub, -), (.mul, *), (.div, /), (.pow, { Foundation.pow($0, $1) }),
            (.eq, { $0 == $1 ? 1 : 0 }), (.lt, { $0 < $1 ? 1 : 0 }), (.gt, { $0 > $1 ? 1 : 0 }),
            (.le, { $0 <= $1 ? 1 : 0 }), (.ge, { $0 >= $1 ? 1 : 0 }),
            (.maximum, { Swift.max($0, $1) }), (.minimum, { Swift.min($0, $1) }),
        ]
        for dtype in allDTypes {
            for (na, a) in try layouts(xs, dtype) {
                for (nb, b) in try layouts(ys, dtype) {
                    for (op, f) in cases {
                        let want = zip(xs, ys).map { dtype == .float32 ? Double(Float(f($0, $1))) : f($0, $1) }
                        assertTensor(try Tensor.binary(op, a, b), want, shape: [2, 3], dtype: dtype,
                                     tol: tolerance(dtype), "\(op) \(na) \(nb)")
                    }
                }
            }
        }
    }

    func testBinaryWithScalarOnEitherSide() throws {
        for dtype in allDTypes {
            for (name, t) in try layouts(xs, dtype) {
                assertTensor(try Tensor.binary(.sub, t, scalar: 1), xs.map { $0 - 1 }, shape: [2, 3], dtype: dtype, "\(name)")
                assertTensor(try Tensor.binary(.sub, t, scalar: 1, scalarFirst: true), xs.map { 1 - $0 }, shape: [2, 3], dtype: dtype)
                assertTensor(try Tensor.binary(.div, t, scalar: 4), xs.map { $0 / 4 }, shape: [2, 3], dtype: dtype)
                assertTensor(try Tensor.binary(.div, t, scalar: 1, scalarFirst: true), xs.map { 1 / $0 }, shape: [2, 3],
                             dtype: dtype, tol: tolerance(dtype))
                assertTensor(try Tensor.binary(.pow, t, scalar: 2, scalarFirst: true), xs.map { Foundation.pow(2, $0) },
                             shape: [2, 3], dtype: dtype, tol: tolerance(dtype))
                assertTensor(try Tensor.binary(.gt, t, scalar: 0), xs.map { $0 > 0 ? 1 : 0 }, shape: [2, 3], dtype: dtype)
            }
        }
        // The tensor's dtype is kept: a float32 tensor times a double rounds to float32.
        let f = try Tensor.binary(.mul, T([1], [1], .float32), scalar: 0.1)
        XCTAssertEqual(f.toArray()[0], Double(Float(0.1)))
    }

    func testDTypePromotion() throws {
        let r = try Tensor.binary(.add, T([1, 2], [2], .float32), T([0.1, 0.2], [2]))
        assertTensor(r, [Double(Float(1)) + 0.1, 2.2], shape: [2], dtype: .float64, tol: 1e-15)
        let s = try Tensor.binary(.mul, T([3], [1], .float32), T([2], [1], .float32))
        XCTAssertEqual(s.dtype, .float32)
    }

    func testInPlaceOps() throws {
        for dtype in allDTypes {
            for (name, t) in try layouts(xs, dtype) {
                let base = t.storage
                t.apply(.abs)
                assertTensor(t, xs.map { Swift.abs($0) }, shape: [2, 3], "\(name)")
                try t.apply(.mul, scalar: 2)
                assertTensor(t, xs.map { 2 * Swift.abs($0) }, shape: [2, 3], "\(name)")
                try t.apply(.sub, T([1, 2, 3], [3], dtype))  // broadcast over rows
                assertTensor(t, [5 - 1, 2 - 2, 0.5 - 3, 0 - 1, 1 - 2, 6 - 3], shape: [2, 3], "\(name)")
                try t.addScaled(T([1, 1, 1, 1, 1, 1], [2, 3], dtype), alpha: -0.5)
                assertTensor(t, [3.5, -0.5, -3, -1.5, -1.5, 2.5], shape: [2, 3], "\(name)")
                try t.addScaled(T([10], [1], dtype), alpha: 0.1)
                assertTensor(t, [4.5, 0.5, -2, -0.5, -0.5, 3.5], shape: [2, 3], tol: tolerance(dtype), "\(name)")
                XCTAssertTrue(t.storage === base, "in place")
                t.fill(7)
                assertTensor(t, [7, 7, 7, 7, 7, 7], shape: [2, 3])
            }
        }
        let t = try T([1, 2, 3, 4], [2, 2])
        assertTensorError("add: shape (3) cannot be broadcast to (2x2)") { try t.apply(.add, T([1, 2, 3], [3])) }
        assertTensorError("add_: shape (2x2x1) cannot be broadcast to (2x2)") { try t.addScaled(T([1, 2, 3, 4], [2, 2, 1]), alpha: 1) }
        // The in-place target cannot be broadcast: (1x2) += (2x2) is an error.
        assertTensorError("mul: shape (2x2) cannot be broadcast to (1x2)") { try T([1, 2], [1, 2]).apply(.mul, t) }
    }

    /// An in-place update reading an overlapping view of itself sees the old values.
    func testInPlaceWithAliasedOperand() throws {
        let m = try T([1, 2, 3, 4], [2, 2])
        try m.apply(.add, try m.t())
        assertTensor(m, [2, 5, 5, 8], shape: [2, 2])
        let v = try T([1, 2, 3, 4, 5], [5])
        try v.narrow(0, start: 1, length: 4).copy(from: try v.narrow(0, start: 0, length: 4))
        assertTensor(v, [1, 1, 2, 3, 4], shape: [5], "shift right by one through overlapping views")
        let w = try T([1, 2, 3], [3])
        try w.apply(.mul, w)
        assertTensor(w, [1, 4, 9], shape: [3])
    }

    func testCopyBroadcastsAndConverts() throws {
        for dtype in allDTypes {
            let dst = try Tensor(zeros: [2, 3], dtype: dtype)
            try dst.copy(from: T([1, 2, 3], [3], dtype == .float64 ? .float32 : .float64))
            assertTensor(dst, [1, 2, 3, 1, 2, 3], shape: [2, 3], dtype: dtype)
            try dst.t().copy(from: T([1, 2, 3, 4, 5, 6], [3, 2], dtype))
            assertTensor(dst, [1, 3, 5, 2, 4, 6], shape: [2, 3])
            try dst.copy(from: T([0.5], [], dtype))
            assertTensor(dst, [0.5, 0.5, 0.5, 0.5, 0.5, 0.5], shape: [2, 3])
        }
        assertTensorError("copy_: source of shape (2) cannot be broadcast to (2x3)") {
            try Tensor(zeros: [2, 3]).copy(from: T([1, 2], [2]))
        }
    }

    func testEmptyTensors() throws {
        let e = try T([], [0, 3])
        XCTAssertEqual(try e.map(.exp).shape, [0, 3])
        XCTAssertEqual(try Tensor.binary(.add, e, T([1, 2, 3], [3])).shape, [0, 3])
        e.fill(1)
        try e.copy(from: T([1], [1]))
    }
}

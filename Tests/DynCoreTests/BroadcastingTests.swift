import XCTest
@testable import DynCore

/// numpy's broadcasting rule and its corner cases.
final class BroadcastingTests: XCTestCase {
    func testBroadcastShape() {
        XCTAssertEqual(Tensor.broadcastShape([3, 1], [1, 4]), [3, 4])
        XCTAssertEqual(Tensor.broadcastShape([4], [3, 4]), [3, 4])
        XCTAssertEqual(Tensor.broadcastShape([], [2, 3]), [2, 3])
        XCTAssertEqual(Tensor.broadcastShape([2, 1, 3], [5, 1]), [2, 5, 3])
        XCTAssertEqual(Tensor.broadcastShape([0, 3], [1, 3]), [0, 3])
        XCTAssertEqual(Tensor.broadcastShape([1], [0]), [0])
        XCTAssertEqual(Tensor.broadcastShape([0], [1]), [0])
        XCTAssertNil(Tensor.broadcastShape([0], [2]))
        XCTAssertNil(Tensor.broadcastShape([3], [4]))
        XCTAssertNil(Tensor.broadcastShape([2, 3], [3, 2]))
    }

    func testColumnPlusRow() throws {
        for dtype in allDTypes {
            let col = try T([10, 20, 30], [3, 1], dtype), row = try T([1, 2, 3, 4], [1, 4], dtype)
            assertTensor(try Tensor.binary(.add, col, row), [11, 12, 13, 14, 21, 22, 23, 24, 31, 32, 33, 34],
                         shape: [3, 4], dtype: dtype)
            assertTensor(try Tensor.binary(.sub, row, col), [-9, -8, -7, -6, -19, -18, -17, -16, -29, -28, -27, -26],
                         shape: [3, 4], dtype: dtype)
        }
    }

    func testVectorAgainstMatrixRows() throws {
        let m = try T(Array(stride(from: 1.0, through: 12, by: 1)), [3, 4]), v = try T([1, 0, -1, 2], [4])
        assertTensor(try Tensor.binary(.mul, m, v), [1, 0, -3, 8, 5, 0, -7, 16, 9, 0, -11, 24], shape: [3, 4])
        assertTensor(try Tensor.binary(.mul, v, m), [1, 0, -3, 8, 5, 0, -7, 16, 9, 0, -11, 24], shape: [3, 4])
        // The matrix as a transposed view, the vector as a strided view.
        let mt = transposedView(m.toArray(), rows: 3, cols: 4)
        let vs = try T([1, 9, 0, 9, -1, 9, 2, 9], [4, 2]).select(1, 0)
        XCTAssertEqual(vs.strides, [2])
        assertTensor(try Tensor.binary(.mul, mt, vs), [1, 0, -3, 8, 5, 0, -7, 16, 9, 0, -11, 24], shape: [3, 4])
    }

    func testScalarTensorBroadcasts() throws {
        let s = try T([2], [])
        assertTensor(try Tensor.binary(.pow, T([1, 2, 3], [3]), s), [1, 4, 9], shape: [3])
        assertTensor(try Tensor.binary(.sub, s, T([1, 2], [2, 1])), [1, 0], shape: [2, 1])
        assertTensor(try Tensor.binary(.add, s, s), [4], shape: [])
    }

    func testSizeZeroDimensions() throws {
        XCTAssertEqual(try Tensor.binary(.add, T([], [0, 3]), T([1, 2, 3], [1, 3])).shape, [0, 3])
        XCTAssertEqual(try Tensor.binary(.add, T([], [2, 0]), T([1, 2], [2, 1])).shape, [2, 0])
        XCTAssertEqual(try Tensor.binary(.mul, T([], [0]), T([5], [])).shape, [0])
    }

    func testIncompatibleShapesError() {
        assertTensorError("add: shapes (3) and (4) cannot be broadcast together") {
            try Tensor.binary(.add, T([1, 2, 3], [3]), T([1, 2, 3, 4], [4]))
        }
        assertTensorError("mul: shapes (2x3) and (3x2) cannot be broadcast together") {
            try Tensor.binary(.mul, T([1, 2, 3, 4, 5, 6], [2, 3]), T([1, 2, 3, 4, 5, 6], [3, 2]))
        }
        assertTensorError("sub: shapes (0) and (2) cannot be broadcast together") {
            try Tensor.binary(.sub, T([], [0]), T([1, 2], [2]))
        }
    }

    func testBroadcastStridesAndView() throws {
        let col = try T([1, 2, 3], [3, 1])
        XCTAssertEqual(col.broadcastStrides(to: [2, 3, 4]), [0, 1, 0])
        let b = try col.broadcast(to: [3, 2], "test")
        assertTensor(b, [1, 1, 2, 2, 3, 3], shape: [3, 2])
        XCTAssertTrue(b.storage === col.storage)
        assertTensorError("test: shape (3x1) cannot be broadcast to (2x2)") { try col.broadcast(to: [2, 2], "test") }
    }
}

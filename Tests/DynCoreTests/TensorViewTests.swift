import XCTest
@testable import DynCore

/// Views share storage; reshape/index/cat copy. Dimensions and positions are 0-based here.
final class TensorViewTests: XCTestCase {
    let a = try! T([1, 2, 3, 4, 5, 6], [2, 3])

    func testStridesAndContiguity() {
        XCTAssertEqual(Tensor.contiguousStrides([2, 3, 4]), [12, 4, 1])
        XCTAssertEqual(Tensor.contiguousStrides([]), [])
        XCTAssertEqual(Tensor.contiguousStrides([2, 0, 3]), [3, 3, 1])
        XCTAssertEqual(Tensor.elementCount([2, 3, 4]), 24)
        XCTAssertEqual(Tensor.elementCount([]), 1)
        XCTAssertEqual(Tensor.elementCount([5, 0]), 0)
        XCTAssertTrue(a.isContiguous)
        XCTAssertFalse(try a.t().isContiguous)
        // A size-1 dimension's stride does not matter.
        XCTAssertTrue(Tensor(storage: a.storage, shape: [1, 3], strides: [99, 1]).isContiguous)
    }

    func testElementAccess() throws {
        XCTAssertEqual(a.value(at: [1, 2]), 6)
        a.setValue(-6, at: [1, 2])
        XCTAssertEqual(a.toArray(), [1, 2, 3, 4, 5, -6])
        XCTAssertEqual(try T([7], []).item(), 7)
        assertTensorError("item: tensor of shape (2x3) has 6 elements, expected 1") { try a.item() }
    }

    func testTransposeSharesMemory() throws {
        for dtype in allDTypes {
            let m = try! T([1, 2, 3, 4, 5, 6], [2, 3], dtype)
            let t = try m.t()
            assertTensor(t, [1, 4, 2, 5, 3, 6], shape: [3, 2], dtype: dtype)
            XCTAssertEqual(t.strides, [1, 3])
            t.setValue(40, at: [0, 1])
            XCTAssertEqual(m.value(at: [1, 0]), 40, "write through the transpose")
        }
        let v = try T([1, 2, 3], [3])
        XCTAssertTrue(try v.t() === v, "t() of a 1-D tensor is the tensor itself")
        let c = try T(Array(stride(from: 0.0, to: 24, by: 1)), [2, 3, 4])
        let ct = try c.transpose(0, 2)
        XCTAssertEqual(ct.shape, [4, 3, 2])
        XCTAssertEqual(ct.value(at: [3, 1, 0]), c.value(at: [0, 1, 3]))
        assertTensorError("t: expected a 1-D or 2-D tensor, got 3-D; use transpose(d1, d2)") { try c.t() }
        assertTensorError("transpose: dimension 4 out of range for a 3-D tensor") { try c.transpose(0, 3) }
    }

    func testNarrowAndSelect() throws {
        let m = try T(Array(stride(from: 1.0, through: 12, by: 1)), [3, 4])
        let n = try m.narrow(1, start: 1, length: 2)
        assertTensor(n, [2, 3, 6, 7, 10, 11], shape: [3, 2])
        XCTAssertFalse(n.isContiguous)
        n.fill(0)
        XCTAssertEqual(m.toArray(), [1, 0, 0, 4, 5, 0, 0, 8, 9, 0, 0, 12], "narrow is a view")
        assertTensor(try m.narrow(0, start: 3, length: 0), [], shape: [0, 4])
        assertTensorError("narrow: range 3..5 out of bounds for dimension 2 of size 4") { try m.narrow(1, start: 2, length: 3) }
        assertTensorError("narrow: range 0..0 out of bounds for dimension 1 of size 3") { try m.narrow(0, start: -1, length: 1) }

        let row = try m.select(0, 2)
        assertTensor(row, [9, 0, 0, 12], shape: [4])
        let col = try m.select(1, 3)
        assertTensor(col, [4, 8, 12], shape: [3])
        XCTAssertEqual(col.strides, [4])
        col.setValue(-1, at: [1])
        XCTAssertEqual(m.value(at: [1, 3]), -1)
        let scalar = try col.select(0, 0)
        XCTAssertEqual(scalar.rank, 0)
        XCTAssertEqual(try scalar.item(), 4)
        assertTensorError("select: index 4 out of range for dimension 1 of size 3") { try m.select(0, 3) }
        assertTensorError("select: dimension 3 out of range for a 2-D tensor") { try m.select(2, 0) }
    }

    func testIndexCopies() throws {
        for dtype in allDTypes {
            let m = try! T([1, 2, 3, 4, 5, 6], [3, 2], dtype)
            let rows = try m.index(0, [2, 0, 2])
            assertTensor(rows, [5, 6, 1, 2, 5, 6], shape: [3, 2], dtype: dtype)
            rows.fill(0)
            XCTAssertEqual(m.toArray(), [1, 2, 3, 4, 5, 6], "index copies")
            assertTensor(try m.index(1, [1]), [2, 4, 6], shape: [3, 1], dtype: dtype)
            assertTensor(try m.t().index(1, [1, 0]), [3, 1, 4, 2], shape: [2, 2], dtype: dtype)
            assertTensor(try m.index(0, []), [], shape: [0, 2], dtype: dtype)
        }
        assertTensorError("index: index 4 out of range for dimension 1 of size 2") { try a.index(0, [0, 3]) }
    }

    func testViewAndReshape() throws {
        let v = try a.view([3, 2])
        assertTensor(v, [1, 2, 3, 4, 5, 6], shape: [3, 2])
        v.setValue(0, at: [0, 0])
        XCTAssertEqual(a.value(at: [0, 0]), 0, "view shares memory")
        XCTAssertEqual(try a.view([-1]).shape, [6])
        XCTAssertEqual(try a.view([3, -1]).shape, [3, 2])
        XCTAssertEqual(try a.view([1, 6, 1]).shape, [1, 6, 1])
        assertTensorError("view: shape (4x2) has 8 elements, tensor of shape (2x3) has 6") { try a.view([4, 2]) }
        assertTensorError("view: invalid shape (-1x-1)") { try a.view([-1, -1]) }
        assertTensorError("view: cannot infer -1 in (4x-1) for 6 elements") { try a.view([4, -1]) }
        assertTensorError("view: tensor is not contiguous; use reshape (which copies) or contiguous()") {
            try a.t().view([6])
        }
        // reshape copies a non-contiguous tensor and views a contiguous one.
        let r = try a.t().reshape([6])
        assertTensor(r, [0, 4, 2, 5, 3, 6], shape: [6])
        r.fill(9)
        XCTAssertEqual(a.value(at: [0, 1]), 2, "reshape of a transpose is a copy")
        let r2 = try a.reshape([3, 2])
        r2.setValue(-5, at: [2, 1])
        XCTAssertEqual(a.value(at: [1, 2]), -5, "reshape of a contiguous tensor is a view")
        assertTensorError("reshape: shape (5) has 5 elements, tensor of shape (2x3) has 6") { try a.reshape([5]) }
        let empty = try T([], [0, 3])
        XCTAssertEqual(try empty.view([3, 0]).shape, [3, 0])
        assertTensorError("view: cannot infer -1 in (0x-1) for 0 elements") { try empty.view([0, -1]) }
    }

    func testCloneContiguousConverted() throws {
        let t = try a.t()
        let c = try t.clone()
        XCTAssertTrue(c.isContiguous)
        XCTAssertFalse(c.storage === a.storage)
        assertTensor(c, [1, 4, 2, 5, 3, 6], shape: [3, 2])
        XCTAssertTrue(try a.contiguous() === a)
        let tc = try t.contiguous()
        XCTAssertTrue(tc.isContiguous)
        assertTensor(tc, [1, 4, 2, 5, 3, 6], shape: [3, 2])
        let f = try t.converted(to: .float32)
        assertTensor(f, [1, 4, 2, 5, 3, 6], shape: [3, 2], dtype: .float32)
        XCTAssertTrue(try a.converted(to: .float64) === a)
        let third = try T([1.0 / 3], [1]).converted(to: .float32)
        XCTAssertEqual(third.toArray()[0], Double(Float(1.0 / 3)))
    }

    func testCat() throws {
        for dtype in allDTypes {
            let x = try T([1, 2, 3, 4], [2, 2], dtype), y = try T([5, 6], [1, 2], dtype)
            assertTensor(try Tensor.cat([x, y], dim: 0), [1, 2, 3, 4, 5, 6], shape: [3, 2], dtype: dtype)
            assertTensor(try Tensor.cat([x, try y.t().contiguous().view([2, 1])], dim: 1), [1, 2, 5, 3, 4, 6],
                         shape: [2, 3], dtype: dtype)
            // Non-contiguous parts and an empty part.
            assertTensor(try Tensor.cat([try x.t(), T([], [0, 2], dtype)], dim: 0), [1, 3, 2, 4], shape: [2, 2])
        }
        let mixed = try Tensor.cat([T([1], [1], .float32), T([2], [1])], dim: 0)
        XCTAssertEqual(mixed.dtype, .float64, "float64 wins")
        assertTensorError("cat: tensor 2 has shape (1x3), which does not match (2x2) outside dimension 1") {
            try Tensor.cat([T([1, 2, 3, 4], [2, 2]), T([1, 2, 3], [1, 3])], dim: 0)
        }
        assertTensorError("cat: tensor 2 has shape (4), which does not match (2x2) outside dimension 1") {
            try Tensor.cat([T([1, 2, 3, 4], [2, 2]), T([1, 2, 3, 4], [4])], dim: 0)
        }
        assertTensorError("cat: expected at least one tensor") { try Tensor.cat([], dim: 0) }
        assertTensorError("cat: dimension 3 out of range for a 2-D tensor") { try Tensor.cat([a], dim: 2) }
    }

    func testConstantConstructors() throws {
        for dtype in allDTypes {
            assertTensor(try Tensor(zeros: [2, 2], dtype: dtype), [0, 0, 0, 0], shape: [2, 2], dtype: dtype)
            assertTensor(try Tensor(filled: 2.5, shape: [3], dtype: dtype), [2.5, 2.5, 2.5], shape: [3], dtype: dtype)
            assertTensor(try Tensor.eye(3, dtype: dtype), [1, 0, 0, 0, 1, 0, 0, 0, 1], shape: [3, 3], dtype: dtype)
        }
        assertTensor(try Tensor.eye(0), [], shape: [0, 0])
    }

    /// Reference values from numpy 2.4: python3 -c "import numpy as np; print(np.arange(1, 2, 0.3).tolist())" etc.
    func testArangeMatchesNumpy() throws {
        assertTensor(try Tensor.arange(0, 1, step: 0.1),
                     [0.0, 0.1, 0.2, 0.30000000000000004, 0.4, 0.5, 0.6000000000000001, 0.7000000000000001, 0.8, 0.9],
                     shape: [10])
        // numpy uses delta = (a + step) - a, not step: the last value is 1.9000000000000001, not 1.9.
        XCTAssertEqual(try Tensor.arange(1, 2, step: 0.3).toArray(), [1.0, 1.3, 1.6, 1.9000000000000001])
        XCTAssertEqual(try Tensor.arange(-1, 1, step: 0.25).toArray(), [-1.0, -0.75, -0.5, -0.25, 0.0, 0.25, 0.5, 0.75])
        XCTAssertEqual(try Tensor.arange(5, 0, step: -1.5).toArray(), [5.0, 3.5, 2.0, 0.5])
        XCTAssertEqual(try Tensor.arange(0.1, 0.7, step: 0.2).toArray(), [0.1, 0.30000000000000004, 0.5000000000000001])
        XCTAssertEqual(try Tensor.arange(3, 1).count, 0)
        XCTAssertEqual(try Tensor.arange(0, 5, dtype: .float32).dtype, .float32)
        assertTensorError("arange: step must be a finite non-zero number and the bounds finite") { try Tensor.arange(0, 1, step: 0) }
        assertTensorError("arange: step must be a finite non-zero number and the bounds finite") { try Tensor.arange(0, .infinity) }
    }

    /// Reference values from numpy 2.4: np.linspace(a, b, n).tolist().
    func testLinspaceMatchesNumpy() throws {
        XCTAssertEqual(try Tensor.linspace(0, 1, 7).toArray(),
                       [0.0, 0.16666666666666666, 0.3333333333333333, 0.5, 0.6666666666666666, 0.8333333333333333, 1.0])
        XCTAssertEqual(try Tensor.linspace(-3, 2.5, 4).toArray(), [-3.0, -1.1666666666666667, 0.6666666666666665, 2.5])
        XCTAssertEqual(try Tensor.linspace(0.1, 0.9, 9).toArray(),
                       [0.1, 0.2, 0.30000000000000004, 0.4, 0.5, 0.6, 0.7000000000000001, 0.8, 0.9])
        XCTAssertEqual(try Tensor.linspace(1, 1, 3).toArray(), [1, 1, 1])
        XCTAssertEqual(try Tensor.linspace(2, 5, 1).toArray(), [2])
        XCTAssertEqual(try Tensor.linspace(0, 1, 0).shape, [0])
        assertTensorError("linspace: number of points must be >= 0, got -1") { try Tensor.linspace(0, 1, -1) }
    }

    func testCheckedCount() throws {
        XCTAssertEqual(try Tensor.checkedCount([2, 3, 4], .float64, "f"), 24)
        XCTAssertEqual(try Tensor.checkedCount([], .float32, "f"), 1)
        XCTAssertEqual(try Tensor.checkedCount([0, 1 << 40], .float64, "f"), 0)
        assertTensorError("f: shape (4294967296x4294967296) has too many elements") {
            try Tensor.checkedCount([1 << 32, 1 << 32], .float64, "f")
        }
        assertTensorError("f: invalid shape (2x-1)") { try Tensor.checkedCount([2, -1], .float64, "f") }
        assertTensorError("g: a float64 tensor of shape (2305843009213693952x1) is too large (its size in bytes overflows)") {
            try Tensor.checkedCount([1 << 61, 1], .float64, "g")
        }
        // Whether the bytes exist is the allocation's to say (no machine has 4 PiB to give).
        XCTAssertEqual(try Tensor.checkedCount([1 << 25, 1 << 25], .float32, "g"), 1 << 50)
        assertTensorError("cannot allocate 4503599627370496 bytes (4 PiB) for a float32 tensor of shape (33554432x33554432) (out of memory)") {
            try Tensor(uninitialized: [1 << 25, 1 << 25], dtype: .float32)
        }
        assertTensorError("add: shape (4294967296x4294967296) has too many elements") {
            // Huge operands as stride-0 views of one element, so the test allocates nothing big.
            let one = try Storage(zeros: 1, dtype: .float64, what: "one element")
            return try Tensor.binary(.add, Tensor(storage: one, shape: [1 << 32, 1], strides: [0, 0]),
                                     Tensor(storage: one, shape: [1, 1 << 32], strides: [0, 0]))
        }
    }
}

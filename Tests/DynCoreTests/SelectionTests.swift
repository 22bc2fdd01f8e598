import XCTest
@testable import DynCore

/// The shape contracts of the selection kernels (what a backward pass will rely on), in both
/// dtypes and on strided views.
final class SelectionTests: XCTestCase {
    func testMaskedKeepsTrailingDimensions() throws {
        for dtype in allDTypes {
            // The logical matrix {{1,2},{3,4},{5,6}} stored transposed.
            let x = transposedView([1, 2, 3, 4, 5, 6], rows: 3, cols: 2, dtype)
            assertTensor(try x.masked(try T([1, 0, 1], [3])), [1, 2, 5, 6], shape: [2, 2], dtype: dtype)
            assertTensor(try x.masked(try T([0, 1, 1, 0, 0, 1], [3, 2])), [2, 3, 6], shape: [3], dtype: dtype)
            assertTensor(try x.masked(try T([0, 0, 0], [3])), [], shape: [0, 2], dtype: dtype)
        }
    }

    func testGatherHasTheIndexShape() throws {
        let x = transposedView([1, 2, 3, 4, 5, 6], rows: 2, cols: 3)  // {{1,2,3},{4,5,6}}
        assertTensor(try x.gather(1, try T([3, 1, 2, 2], [2, 2])), [3, 1, 5, 5], shape: [2, 2])
        assertTensor(try x.gather(0, try T([2, 1, 2], [1, 3])), [4, 2, 6], shape: [1, 3])
        assertTensorError("gather: index element 1 is 0, expected an integer in 1..3 (dimension 2)") {
            try x.gather(1, try T([0], [1, 1]))
        }
    }

    func testWhereBroadcastsAndPromotes() throws {
        let mask = try T([1, 0], [2, 1])
        let a = try T([1, 2, 3], [3], .float32)
        let b = try T([-1], [], .float32)
        assertTensor(try Tensor.where(mask, a, b), [1, 2, 3, -1, -1, -1], shape: [2, 3], dtype: .float32)
        XCTAssertEqual(try Tensor.where(mask, a, try T([0], [])).dtype, .float64)
    }

    func testStackInsertsADimension() throws {
        let u = try T([1, 2], [2]), v = try T([9, 3, 9, 4], [2, 2]).select(1, 1)  // {3, 4}, stride 2
        assertTensor(try Tensor.stack([u, v], dim: 0), [1, 2, 3, 4], shape: [2, 2])
        assertTensor(try Tensor.stack([u, v], dim: 1), [1, 3, 2, 4], shape: [2, 2])
    }

    func testStatistics() throws {
        let x = try T([2, 4, 4, 4, 5, 5, 7, 9], [2, 4])
        XCTAssertEqual(x.std(), 2)  // the textbook example: population standard deviation 2
        assertTensor(try x.std(dim: 0), [1.5, 0.5, 1.5, 2.5], shape: [4])
        assertTensor(try x.unique(), [2, 4, 5, 7, 9], shape: [5])
        assertTensor(try T([3, 1, 3], [3]).bincount(), [1, 0, 2], shape: [3])
        assertTensor(try Tensor.onehot(try T([2, 1], [2]), classes: 2), [0, 1, 1, 0], shape: [2, 2])
    }
}

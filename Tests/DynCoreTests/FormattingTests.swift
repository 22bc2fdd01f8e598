import XCTest
@testable import DynCore

/// tostring(t): numpy/Torch layout, with the shape and dtype spelled out at the end.
final class FormattingTests: XCTestCase {
    func testMatrixAlignsColumns() {
        XCTAssertEqual(try T([1.5, -2, 0.25, 3], [2, 2]).description, """
            tensor([[ 1.5000, -2.0000],
                    [ 0.2500,  3.0000]], shape=(2, 2), dtype=float64)
            """)
    }

    func testIntegersScalarsAndVectors() {
        XCTAssertEqual(try T([1, 2, 3], [3], .float32).description, "tensor([1., 2., 3.], shape=(3,), dtype=float32)")
        XCTAssertEqual(try T([-12, 3], [2]).description, "tensor([-12.,   3.], shape=(2,), dtype=float64)")
        XCTAssertEqual(try T([2.5], []).description, "tensor(2.5000, shape=(), dtype=float64)")
        XCTAssertEqual(try T([-0.0], []).description, "tensor(-0., shape=(), dtype=float64)")
    }

    /// Scientific notation when the magnitudes span more than three decades, the largest is at
    /// least 1e8 or the smallest below 1e-4 (numpy's and Torch's rule).
    func testScientificNotation() {
        XCTAssertEqual(try T([0.001, 1], [2]).description, "tensor([0.0010, 1.0000], shape=(2,), dtype=float64)")
        XCTAssertEqual(try T([1, 2000.5], [2]).description, "tensor([1.0000e+00, 2.0005e+03], shape=(2,), dtype=float64)")
        XCTAssertEqual(try T([1e-5, 0.5], [2]).description, "tensor([1.0000e-05, 5.0000e-01], shape=(2,), dtype=float64)")
        XCTAssertEqual(try T([1e9, 1], [2]).description, "tensor([1.0000e+09, 1.0000e+00], shape=(2,), dtype=float64)")
        XCTAssertEqual(try T([0, 0.5], [2]).description, "tensor([0.0000, 0.5000], shape=(2,), dtype=float64)", "zero is ignored")
    }

    func testNonFiniteValues() {
        XCTAssertEqual(try T([.nan, .infinity, -.infinity, 1], [4]).description,
                       "tensor([ nan,  inf, -inf,   1.], shape=(4,), dtype=float64)")
        XCTAssertEqual(try T([.nan, 1.5], [2]).description, "tensor([   nan, 1.5000], shape=(2,), dtype=float64)")
    }

    func testThreeDimensionsSeparateBlocksWithABlankLine() {
        XCTAssertEqual(try T([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]).description, """
            tensor([[[1., 2.],
                     [3., 4.]],

                    [[5., 6.],
                     [7., 8.]]], shape=(2, 2, 2), dtype=float64)
            """)
    }

    func testEmptyTensors() {
        XCTAssertEqual(try T([], [3, 0]).description, "tensor([], shape=(3, 0), dtype=float64)")
        XCTAssertEqual(try T([], [0], .float32).description, "tensor([], shape=(0,), dtype=float32)")
    }

    /// More than 1000 elements: three items at each end of every dimension.
    func testLargeTensorsAreElided() throws {
        let t = try Tensor.arange(0, 2000).view([2, 1000])
        XCTAssertEqual(t.description, """
            tensor([[   0.,    1.,    2., ...,  997.,  998.,  999.],
                    [1000., 1001., 1002., ..., 1997., 1998., 1999.]], shape=(2, 1000), dtype=float64)
            """)
        let tall = try Tensor.arange(0, 1010).view([505, 2])
        XCTAssertEqual(tall.description, """
            tensor([[   0.,    1.],
                    [   2.,    3.],
                    [   4.,    5.],
                    ...,
                    [1004., 1005.],
                    [1006., 1007.],
                    [1008., 1009.]], shape=(505, 2), dtype=float64)
            """)
        let small = try Tensor.arange(0, 1000)
        XCTAssertFalse(small.description.contains("..."), "1000 elements are all shown")
    }

    func testStridedViewPrintsLogicalOrder() throws {
        XCTAssertEqual(try T([1, 2, 3, 4], [2, 2]).t().description, """
            tensor([[1., 3.],
                    [2., 4.]], shape=(2, 2), dtype=float64)
            """)
    }
}

import Foundation
import XCTest
@testable import DynCore

final class SoftmaxTests: XCTestCase {
    func softmax(_ x: [Double]) -> [Double] {
        let e = x.map { exp($0) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }

    func testRowsAndColumns() throws {
        let x: [Double] = [1, 2, 3, 0, 0, -1]
        for dtype in allDTypes {
            let t = try T(x, [2, 3], dtype)
            let rows = softmax([1, 2, 3]) + softmax([0, 0, -1])
            assertTensor(try t.softmax(dim: 1), rows, shape: [2, 3], dtype: dtype, tol: tolerance(dtype))
            assertTensor(try t.logSoftmax(dim: 1), rows.map { log($0) }, shape: [2, 3], tol: tolerance(dtype))
            let c = [softmax([1, 0]), softmax([2, 0]), softmax([3, -1])]
            let cols = [c[0][0], c[1][0], c[2][0], c[0][1], c[1][1], c[2][1]]
            assertTensor(try t.softmax(dim: 0), cols, shape: [2, 3], tol: tolerance(dtype))
            // A transposed input gives the transposed result.
            let tt = try t.t()
            assertTensor(try tt.softmax(dim: 0), [rows[0], rows[3], rows[1], rows[4], rows[2], rows[5]], shape: [3, 2],
                         tol: tolerance(dtype))
            // Closed form: softmax of (a, a) is (1/2, 1/2).
            assertTensor(try T([5, 5], [2], dtype).softmax(dim: 0), [0.5, 0.5], shape: [2])
        }
    }

    func testHugeLogitsAreStable() throws {
        for dtype in allDTypes {
            let t = try T([1000, -1000, 0, 1000, 1000, 999], [2, 3], dtype)
            let s = try t.softmax(dim: 1)
            let e1 = exp(-1.0)
            assertTensor(s, [1, 0, 0, 0.5 / (1 + e1 / 2), 0.5 / (1 + e1 / 2), e1 / (2 + e1)], shape: [2, 3],
                         tol: tolerance(dtype))
            let ls = try t.logSoftmax(dim: 1)
            // log_softmax(1000, -1000, 0) = (0, -2000, -1000) up to log(1 + e^-1000 + e^-2000) = 0.
            let l2 = -log(2 + e1)
            assertTensor(ls, [0, -2000, -1000, l2, l2, l2 - 1], shape: [2, 3], tol: tolerance(dtype))
            XCTAssertFalse(s.toArray().contains { !$0.isFinite })
        }
    }

    func testSumsToOneAlongTheDimension() throws {
        var g = Generator(seed: 3)
        let t = try Tensor.randn([4, 5, 6], generator: &g).map(.pow(3))
        for d in 0..<3 {
            let sums = try t.softmax(dim: d).reduce(.sum, dim: d).values
            assertTensor(sums, [Double](repeating: 1, count: sums.count), shape: sums.shape, tol: 1e-12, "dim \(d)")
        }
    }

    func testEdges() throws {
        XCTAssertEqual(try T([], [0, 3]).softmax(dim: 1).shape, [0, 3])
        XCTAssertEqual(try T([], [2, 0]).softmax(dim: 1).shape, [2, 0])
        assertTensor(try T([-.infinity, 0], [2]).softmax(dim: 0), [0, 1], shape: [2])
        assertTensorError("softmax: dimension 2 out of range for a 1-D tensor") { try T([1], [1]).softmax(dim: 1) }
        assertTensorError("log_softmax: dimension 1 out of range for a 0-D tensor") { try T([1], []).logSoftmax(dim: 0) }
    }
}

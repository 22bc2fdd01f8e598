import XCTest
@testable import DynCore

/// matmul through BLAS against a plain triple loop, with transposed, narrowed and strided operands.
final class MatMulTests: XCTestCase {
    /// The textbook product of row-major m x k and k x n value arrays.
    func naive(_ a: [Double], _ b: [Double], _ m: Int, _ k: Int, _ n: Int) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { for p in 0..<k { c[i * n + j] += a[i * k + p] * b[p * n + j] } } }
        return c
    }

    func values(_ count: Int, _ seed: UInt64) -> [Double] {
        var g = Generator(seed: seed)
        return (0..<count).map { _ in (g.uniform() * 8).rounded() - 4 }  // small integers: exact in float32 too
    }

    func testHandComputed() throws {
        let a = try T([1, 2, 3, 4, 5, 6], [2, 3]), b = try T([7, 8, 9, 10, 11, 12], [3, 2])
        assertTensor(try Tensor.matmul(a, b), [58, 64, 139, 154], shape: [2, 2])
        assertTensor(try Tensor.matmul(a, try a.t()), [14, 32, 32, 77], shape: [2, 2])
    }

    func testAllLayoutCombinations() throws {
        let (m, k, n) = (3, 4, 5)
        let av = values(m * k, 1), bv = values(k * n, 2)
        let want = naive(av, bv, m, k, n)
        for dtype in allDTypes {
            let aLayouts: [(String, Tensor)] = [
                ("a", try T(av, [m, k], dtype)),
                ("a^T view", transposedView(av, rows: m, cols: k, dtype)),
                ("a narrowed", try T(av.enumerated().flatMap { $0.offset % k == k - 1 ? [$0.element, 99] : [$0.element] },
                                     [m, k + 1], dtype).narrow(1, start: 0, length: k)),
            ]
            let bLayouts: [(String, Tensor)] = [
                ("b", try T(bv, [k, n], dtype)),
                ("b^T view", transposedView(bv, rows: k, cols: n, dtype)),
                ("b every other column", try T(bv.flatMap { [$0, -99] }, [k, 2 * n], dtype).index(1, Array(stride(from: 0, to: 2 * n, by: 2)))),
            ]
            for (na, a) in aLayouts {
                for (nb, b) in bLayouts {
                    assertTensor(try Tensor.matmul(a, b), want, shape: [m, n], dtype: dtype, "\(na) x \(nb)")
                }
            }
        }
    }

    /// A transposed view goes to BLAS as is, with the transpose flag: no copy.
    func testTransposedViewsAreNotCopied() throws {
        let a = try T([1, 2, 3, 4, 5, 6], [2, 3])
        let at = try a.t()
        let M = try BlasMatrix(at)
        XCTAssertTrue(M.tensor === at)
        XCTAssertTrue(M.transposed)
        XCTAssertEqual(M.ld, 3)
        let plain = try BlasMatrix(a)
        XCTAssertTrue(plain.tensor === a)
        XCTAssertFalse(plain.transposed)
        let narrowed = try T(Array(repeating: 1, count: 20), [4, 5]).narrow(1, start: 1, length: 3)
        XCTAssertTrue(try BlasMatrix(narrowed).tensor === narrowed, "a row-major view with a leading dimension")
        XCTAssertEqual(try BlasMatrix(narrowed).ld, 5)
        // Neither dimension contiguous: the one case that copies.
        let s2 = Tensor(storage: try T(Array(repeating: 1, count: 24), [4, 6]).storage, shape: [2, 3], strides: [12, 2])
        XCTAssertFalse(try BlasMatrix(s2).tensor === s2)
        assertTensor(try Tensor.matmul(s2, T([1, 2, 3], [3, 1])), [6, 6], shape: [2, 1])
        // A^T A through views equals the naive product.
        assertTensor(try Tensor.matmul(at, a), naive([1, 4, 2, 5, 3, 6], [1, 2, 3, 4, 5, 6], 3, 2, 3), shape: [3, 3])
    }

    func testMatrixVector() throws {
        let (m, k) = (4, 3)
        let av = values(m * k, 5), x = [2.0, -1, 3], y = [1.0, 0, -2, 1]
        let ax = naive(av, x, m, k, 1)
        let ya = naive(y, av, 1, m, k)
        for dtype in allDTypes {
            let a = try T(av, [m, k], dtype), at = transposedView(av, rows: m, cols: k, dtype)
            let xs = try T(x.flatMap { [$0, 7] }, [3, 2], dtype).select(1, 0)   // stride 2
            XCTAssertEqual(xs.strides, [2])
            for (na, mat) in [("a", a), ("a^T view", at)] {
                for (nx, vec) in [("x", try T(x, [3], dtype)), ("strided x", xs)] {
                    assertTensor(try Tensor.matmul(mat, vec), ax, shape: [m], dtype: dtype, "\(na) \(nx)")
                }
                assertTensor(try Tensor.matmul(T(y, [4], dtype), mat), ya, shape: [k], dtype: dtype, "y \(na)")
                let ys = try T(y.flatMap { [0, $0, 0] }, [4, 3], dtype).select(1, 1)
                assertTensor(try Tensor.matmul(ys, mat), ya, shape: [k], "strided y \(na)")
            }
            // The transpose of the matrix from the other side: x^T A^T = (A x)^T.
            assertTensor(try Tensor.matmul(T(x, [3], dtype), try a.t()), ax, shape: [m])
        }
    }

    func testVectorVectorAndShapesOfOne() throws {
        let d = try Tensor.matmul(T([1, 2, 3], [3]), T([4, 5, 6], [3]))
        assertTensor(d, [32], shape: [])
        let sv = try T([1, 0, 2, 0, 3, 0], [6]).narrow(0, start: 0, length: 5)
        let strided = Tensor(storage: sv.storage, shape: [3], strides: [2])
        assertTensor(try Tensor.matmul(strided, strided), [14], shape: [])
        assertTensor(try Tensor.matmul(T([2], [1, 1]), T([3, 4], [1, 2])), [6, 8], shape: [1, 2])
        assertTensor(try Tensor.matmul(T([1, 2, 3], [3, 1]), T([4, 5], [1, 2])), [4, 5, 8, 10, 12, 15], shape: [3, 2])
    }

    func testEmptyInnerDimensionGivesZeros() throws {
        assertTensor(try Tensor.matmul(T([], [2, 0]), T([], [0, 3])), [0, 0, 0, 0, 0, 0], shape: [2, 3])
        assertTensor(try Tensor.matmul(T([], [2, 0]), T([], [0])), [0, 0], shape: [2])
        XCTAssertEqual(try Tensor.matmul(T([], [0, 3]), T([1, 2, 3], [3, 1])).shape, [0, 1])
        // gemm with k = 0 and beta = 0 must not read an uninitialized (here NaN) output.
        let out = try Tensor(filled: .nan, shape: [2, 2])
        try Tensor.gemm(T([], [2, 0]), T([], [0, 2]), into: out, alpha: 1, beta: 0)
        assertTensor(out, [0, 0, 0, 0], shape: [2, 2])
        let out2 = try Tensor(filled: 3, shape: [2, 2])
        try Tensor.gemm(T([], [2, 0]), T([], [0, 2]), into: out2, alpha: 1, beta: 2)
        assertTensor(out2, [6, 6, 6, 6], shape: [2, 2])
    }

    func testGemmAccumulates() throws {
        let out = try T([1, 1, 1, 1], [2, 2])
        try Tensor.gemm(T([1, 2, 3, 4], [2, 2]), try T([1, 0, 0, 1], [2, 2]).t(), into: out, alpha: 2, beta: -1)
        assertTensor(out, [1, 3, 5, 7], shape: [2, 2])
    }

    /// gemm(transposeA:) multiplies by aᵀ for a stored as is and for a transposed view of it.
    func testGemmTransposeA() throws {
        // a (3 x 2) = [[1, 2], [3, 4], [5, 6]], b (3 x 2) = [[1, 2], [2, 3], [3, 4]].
        let a = try T([1, 2, 3, 4, 5, 6], [3, 2]), b = try T([1, 2, 2, 3, 3, 4], [3, 2])
        let want: [Double] = [1 * 1 + 3 * 2 + 5 * 3, 1 * 2 + 3 * 3 + 5 * 4, 2 * 1 + 4 * 2 + 6 * 3, 2 * 2 + 4 * 3 + 6 * 4]
        let out = try Tensor(zeros: [2, 2])
        try Tensor.gemm(a, b, into: out, alpha: 1, beta: 0, transposeA: true)
        assertTensor(out, want, shape: [2, 2])
        // a given as the transposed view of its transpose (stored 2 x 3).
        let view = try T([1, 3, 5, 2, 4, 6], [2, 3]).t()
        try Tensor.gemm(view, b, into: out, alpha: 1, beta: 1, transposeA: true)
        assertTensor(out, want.map { 2 * $0 }, shape: [2, 2])
    }

    func testDTypesAndErrors() throws {
        let r = try Tensor.matmul(T([1, 2], [1, 2], .float32), T([3, 4], [2, 1]))
        assertTensor(r, [11], shape: [1, 1], dtype: .float64)
        let f = try Tensor.matmul(T([1, 2], [1, 2], .float32), T([3, 4], [2, 1], .float32))
        assertTensor(f, [11], shape: [1, 1], dtype: .float32)
        assertTensorError("matmul: shapes (2x3) and (2x3) do not align") {
            try Tensor.matmul(T([1, 2, 3, 4, 5, 6], [2, 3]), T([1, 2, 3, 4, 5, 6], [2, 3]))
        }
        assertTensorError("matmul: shapes (3) and (2x1) do not align") { try Tensor.matmul(T([1, 2, 3], [3]), T([1, 2], [2, 1])) }
        assertTensorError("matmul: expected 1-D or 2-D tensors, got 3-D and 2-D") {
            try Tensor.matmul(T([1, 2], [1, 1, 2]), T([1, 2], [2, 1]))
        }
        assertTensorError("matmul: expected 1-D or 2-D tensors, got 0-D and 1-D") { try Tensor.matmul(T([1], []), T([1], [1])) }
    }
}

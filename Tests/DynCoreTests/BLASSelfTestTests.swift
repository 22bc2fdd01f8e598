import XCTest
@testable import DynCore

/// The self-test passes the kernels in use and catches each kind of wrong kernel it is meant to.
final class BLASSelfTestTests: XCTestCase {
    typealias S = BLASSelfTest

    func testKernelsInUsePass() {
        XCTAssertNil(S.check("s", S.openBLASFloat))
        XCTAssertNil(S.check("d", S.openBLASDouble))
    }

    /// sgemm as OpenBLAS computes it, then `spoil` applied to the output.
    func spoiledGemm(_ spoil: @escaping (_ m: Int, _ n: Int, _ k: Int, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) -> Void)
        -> S.Kernels<Float> {
        var kernels = S.openBLASFloat
        let gemm = kernels.gemm
        kernels.gemm = { ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc in
            gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
            spoil(m, n, k, c, ldc)
        }
        return kernels
    }

    func testOneWrongEntryInALargeProductIsCaught() throws {
        // Off by 0.05 in the last entry, only in the products with k = 400 (entries of about 7,
        // sums of magnitudes about 100, tolerance about 5e-3): as if one product of two
        // entries of about 0.2 had been dropped.
        let kernels = spoiledGemm { m, n, k, c, ldc in if k == 400 { c[(m - 1) * ldc + n - 1] += 0.05 } }
        let failure = try XCTUnwrap(S.check("s", kernels))
        XCTAssertTrue(failure.hasPrefix("sgemm(N, N, m=19, n=13, k=400"), failure)
        XCTAssertTrue(failure.contains("C[18, 12]"), failure)
    }

    func testRoundingDifferencesPass() {
        // Every entry one unit in the last place away: a kernel summing in another order.
        let kernels = spoiledGemm { m, n, _, c, ldc in
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = c[i * ldc + j].nextUp } }
        }
        XCTAssertNil(S.check("s", kernels))
    }

    func testWriteOutsideTheOutputIsCaught() throws {
        let kernels = spoiledGemm { m, n, _, c, _ in if m == 17 { c[n] = 0 } }
        let failure = try XCTUnwrap(S.check("s", kernels))
        XCTAssertTrue(failure.contains("m=17") && failure.contains("padding C[0, 31]"), failure)
    }

    func testReadingTheOutputWhenBetaIsZeroIsCaught() throws {
        // A kernel that scales C by beta even for beta = 0 turns the NaN-filled output into NaN.
        var kernels = S.openBLASDouble
        let gemm = kernels.gemm
        kernels.gemm = { ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc in
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] *= beta } }
            gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, 1, c, ldc)
        }
        let failure = try XCTUnwrap(S.check("d", kernels))
        XCTAssertTrue(failure.hasPrefix("dgemm(N, N, m=1, n=1, k=1, alpha=1.0, beta=0.0)") && failure.contains("nan"), failure)
    }

    func testIgnoredVectorStrideIsCaught() throws {
        var kernels = S.openBLASFloat
        let gemv = kernels.gemv
        kernels.gemv = { t, m, n, alpha, a, lda, x, _, beta, y, incy in
            gemv(t, m, n, alpha, a, lda, x, 1, beta, y, incy)
        }
        let failure = try XCTUnwrap(S.check("s", kernels))
        XCTAssertTrue(failure.hasPrefix("sgemv(N, m=7, n=3, incx=2"), failure)
    }

    func testToleranceIsTheRoundingBound() {
        // gamma(n) = n u / (1 - n u); twice gamma(k + 4) times the sum of magnitudes.
        XCTAssertEqual(S.gamma(4, 0x1p-24), 4 * 0x1p-24 / (1 - 4 * 0x1p-24))
        let uFloat: Double = 0x1p-24, uDouble: Double = 0x1p-53
        let gammaFloat: Double = 100 * uFloat / (1 - 100 * uFloat)
        let gammaDouble: Double = 100 * uDouble / (1 - 100 * uDouble)
        XCTAssertEqual(S.tolerance(Float.self, terms: 96, bound: 3), 2 * gammaFloat * 3)
        XCTAssertEqual(S.tolerance(Double.self, terms: 96, bound: 3), 2 * gammaDouble * 3)
    }
}

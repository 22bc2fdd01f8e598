import COpenBLAS

/// A quick check that the BLAS kernels in use compute what they should: s/d gemm and gemv, every
/// transpose, odd shapes (tails of every unroll, k and m past a blocking panel), padded leading
/// dimensions and strided vectors, against a plain loop in float64.
///
/// Tolerance: a length-k dot product in precision u, summed in any order, with or without fused
/// multiply-adds, is within gamma(k) * sum |a||b| of the exact value, gamma(n) = n u / (1 - n u)
/// (Higham, Accuracy and Stability of Numerical Algorithms, 3.1); scaling by alpha, adding
/// beta * c and splitting k into panels each add a rounding or two, so gamma(k + 4) covers them.
/// The float64 reference is within the same bound at u = 2^-53, hence the factor 2. A wrong
/// index, stride, transpose or lost panel errs by about the size of the values themselves, far
/// above this; a NaN fails every comparison. Entries outside the output (padding, gaps between
/// strided elements) must come back untouched, and with beta = 0 the output is filled with NaN
/// first: BLAS must not read it (dynlua relies on that for uninitialized buffers).
public enum BLASSelfTest {
    public typealias Gemm<T> = (_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: T,
                                _ a: UnsafePointer<T>, _ lda: Int, _ b: UnsafePointer<T>, _ ldb: Int,
                                _ beta: T, _ c: UnsafeMutablePointer<T>, _ ldc: Int) -> Void
    public typealias Gemv<T> = (_ trans: Bool, _ m: Int, _ n: Int, _ alpha: T, _ a: UnsafePointer<T>,
                                _ lda: Int, _ x: UnsafePointer<T>, _ incx: Int, _ beta: T,
                                _ y: UnsafeMutablePointer<T>, _ incy: Int) -> Void

    /// Row-major products of one precision, as the test calls them.
    public struct Kernels<T> {
        public var gemm: Gemm<T>
        public var gemv: Gemv<T>
        public init(gemm: @escaping Gemm<T>, gemv: @escaping Gemv<T>) { self.gemm = gemm; self.gemv = gemv }
    }

    private static func cblasTrans(_ t: Bool) -> CBLAS_TRANSPOSE { t ? CblasTrans : CblasNoTrans }

    public static let openBLASFloat = Kernels<Float>(
        gemm: { ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc in
            cblas_sgemm(CblasRowMajor, cblasTrans(ta), cblasTrans(tb), Int32(m), Int32(n), Int32(k), alpha,
                        a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        },
        gemv: { t, m, n, alpha, a, lda, x, incx, beta, y, incy in
            cblas_sgemv(CblasRowMajor, cblasTrans(t), Int32(m), Int32(n), alpha, a, Int32(lda), x, Int32(incx),
                        beta, y, Int32(incy))
        })

    public static let openBLASDouble = Kernels<Double>(
        gemm: { ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc in
            cblas_dgemm(CblasRowMajor, cblasTrans(ta), cblasTrans(tb), Int32(m), Int32(n), Int32(k), alpha,
                        a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        },
        gemv: { t, m, n, alpha, a, lda, x, incx, beta, y, incy in
            cblas_dgemv(CblasRowMajor, cblasTrans(t), Int32(m), Int32(n), alpha, a, Int32(lda), x, Int32(incx),
                        beta, y, Int32(incy))
        })

    /// (m, n, k): every unroll tail, a k of 400 and 700 past the k panel of every family, an m of
    /// 700 past the m panel; small enough that the whole test takes milliseconds.
    static let gemmShapes = [(1, 1, 1), (3, 5, 2), (17, 31, 13), (50, 37, 70), (19, 13, 400), (700, 9, 11), (9, 11, 700)]
    /// (m, n) of the stored matrix.
    static let gemvShapes = [(1, 1), (7, 3), (33, 65), (300, 129), (129, 300)]
    /// (alpha, beta), taken in turn; beta = 0 comes with a NaN-filled output.
    static let scalings: [(Double, Double)] = [(1, 0), (0.75, -0.5), (-1.25, 1)]
    /// Marks entries the kernel must not write.
    static let untouched = 12345.0

    /// nil when every product matches its reference, else the first that did not; `prefix`
    /// names the precision in the message ("s", "d").
    public static func check<T: BinaryFloatingPoint>(_ prefix: String, _ kernels: Kernels<T>) -> String? {
        var random = Generator(seed: 0x5EED)
        var turn = 0
        for (m, n, k) in gemmShapes {
            for transA in [false, true] {
                for transB in [false, true] {
                    let (alpha, beta) = scalings[turn % scalings.count]
                    turn += 1
                    if let failure = checkGemm(prefix, kernels.gemm, transA, transB, m, n, k, alpha, beta, &random) {
                        return failure
                    }
                }
            }
        }
        for (m, n) in gemvShapes {
            for trans in [false, true] {
                for (incx, incy) in [(1, 1), (2, 3)] {
                    let (alpha, beta) = scalings[turn % scalings.count]
                    turn += 1
                    if let failure = checkGemv(prefix, kernels.gemv, trans, m, n, incx, incy, alpha, beta, &random) {
                        return failure
                    }
                }
            }
        }
        return nil
    }

    /// n uniform values in [-1, 1), each exactly representable in T (the reference sees the
    /// same numbers as the kernel).
    static func values<T: BinaryFloatingPoint>(_ n: Int, _: T.Type, _ random: inout Generator) -> [Double] {
        (0..<n).map { _ in Double(T(2 * random.uniform() - 1)) }
    }

    static func gamma(_ n: Int, _ u: Double) -> Double { Double(n) * u / (1 - Double(n) * u) }

    static func tolerance<T: BinaryFloatingPoint>(_: T.Type, terms k: Int, bound: Double) -> Double {
        2 * gamma(k + 4, Double(T.ulpOfOne) / 2) * bound
    }

    /// Compares one output entry with its reference; nil when within the tolerance.
    static func compare(_ got: Double, _ ref: Double, _ tol: Double, _ what: @autoclosure () -> String) -> String? {
        abs(got - ref) <= tol ? nil : "\(what()) = \(got), reference \(ref) (tolerance \(tol))"
    }

    static func checkGemm<T: BinaryFloatingPoint>(_ prefix: String, _ gemm: Gemm<T>, _ transA: Bool, _ transB: Bool,
                                                   _ m: Int, _ n: Int, _ k: Int, _ alpha: Double, _ beta: Double,
                                                   _ random: inout Generator) -> String? {
        // Stored shapes, each row padded by a few entries the kernel must skip.
        let (aRows, aCols) = transA ? (k, m) : (m, k), (bRows, bCols) = transB ? (n, k) : (k, n)
        let lda = aCols + 3, ldb = bCols + 2, ldc = n + 5
        let a = values(aRows * lda, T.self, &random), b = values(bRows * ldb, T.self, &random)
        let c0 = values(m * ldc, T.self, &random).enumerated().map { i, v in
            i % ldc >= n ? untouched : beta == 0 ? .nan : v
        }
        var out = c0.map { T($0) }
        a.map { T($0) }.withUnsafeBufferPointer { a in
            b.map { T($0) }.withUnsafeBufferPointer { b in
                out.withUnsafeMutableBufferPointer { c in
                    gemm(transA, transB, m, n, k, T(alpha), a.baseAddress!, lda, b.baseAddress!, ldb, T(beta),
                         c.baseAddress!, ldc)
                }
            }
        }
        let c = out.map { Double($0) }
        let call = "\(prefix)gemm(\(transA ? "T" : "N"), \(transB ? "T" : "N"), m=\(m), n=\(n), k=\(k), alpha=\(alpha), beta=\(beta))"
        for i in 0..<m {
            for j in 0..<ldc {
                let got = c[i * ldc + j]
                if j >= n {
                    if let f = compare(got, untouched, 0, "\(call): padding C[\(i), \(j)]") { return f }
                    continue
                }
                var sum = 0.0, bound = 0.0
                for p in 0..<k {
                    let x = transA ? a[p * lda + i] : a[i * lda + p]
                    let y = transB ? b[j * ldb + p] : b[p * ldb + j]
                    sum += x * y
                    bound += abs(x * y)
                }
                let old = beta == 0 ? 0 : c0[i * ldc + j]
                let ref = alpha * sum + beta * old
                let tol = tolerance(T.self, terms: k, bound: abs(alpha) * bound + abs(beta * old))
                if let f = compare(got, ref, tol, "\(call): C[\(i), \(j)]") { return f }
            }
        }
        return nil
    }

    static func checkGemv<T: BinaryFloatingPoint>(_ prefix: String, _ gemv: Gemv<T>, _ trans: Bool, _ m: Int, _ n: Int,
                                                   _ incx: Int, _ incy: Int, _ alpha: Double, _ beta: Double,
                                                   _ random: inout Generator) -> String? {
        let lda = n + 3
        let (xLength, yLength) = trans ? (m, n) : (n, m)
        let a = values(m * lda, T.self, &random), x = values(xLength * incx, T.self, &random)
        let y0 = values(yLength * incy, T.self, &random).enumerated().map { i, v in
            i % incy != 0 ? untouched : beta == 0 ? .nan : v
        }
        var out = y0.map { T($0) }
        a.map { T($0) }.withUnsafeBufferPointer { a in
            x.map { T($0) }.withUnsafeBufferPointer { x in
                out.withUnsafeMutableBufferPointer { y in
                    gemv(trans, m, n, T(alpha), a.baseAddress!, lda, x.baseAddress!, incx, T(beta), y.baseAddress!, incy)
                }
            }
        }
        let y = out.map { Double($0) }
        let call = "\(prefix)gemv(\(trans ? "T" : "N"), m=\(m), n=\(n), incx=\(incx), incy=\(incy), alpha=\(alpha), beta=\(beta))"
        for e in 0..<yLength * incy {
            let got = y[e]
            if e % incy != 0 {
                if let f = compare(got, untouched, 0, "\(call): gap y[\(e)]") { return f }
                continue
            }
            let i = e / incy
            var sum = 0.0, bound = 0.0
            for p in 0..<xLength {
                let product = (trans ? a[p * lda + i] : a[i * lda + p]) * x[p * incx]
                sum += product
                bound += abs(product)
            }
            let old = beta == 0 ? 0 : y0[e]
            let tol = tolerance(T.self, terms: xLength, bound: abs(alpha) * bound + abs(beta * old))
            if let f = compare(got, alpha * sum + beta * old, tol, "\(call): y[\(i)]") { return f }
        }
        return nil
    }
}

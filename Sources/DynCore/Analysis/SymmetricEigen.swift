import COpenBLAS

/// Eigenvalues (and optionally eigenvectors) of real symmetric matrices through LAPACK.
public enum SymmetricEigen {
    /// Eigenvalues of the symmetric n x n matrix `a` (row-major, only its values are read),
    /// in descending order, by LAPACK dsyevd (divide and conquer).
    public static func eigenvalues(_ a: Tensor) throws -> [Double] {
        try SystemInfo.checkBLASReady()
        guard a.rank == 2, a.shape[0] == a.shape[1] else {
            throw TensorError("eigenvalues: expected a square matrix, got shape \(shapeText(a.shape))")
        }
        let n = a.shape[0]
        if n == 0 { return [] }
        // A row-major symmetric matrix is its own column-major transpose: pass it as is.
        var work = try a.converted(to: .float64).clone().toArray()
        var w = [Double](repeating: 0, count: n)
        var info: Int32 = 0
        var nn = Int32(n), lda = Int32(n)
        var lwork: Int32 = -1, liwork: Int32 = -1
        var wq = 0.0
        var iq: Int32 = 0
        let jobz = "N", uplo = "U"
        // Workspace query, then the real call.
        dsyevd_(jobz, uplo, &nn, &work, &lda, &w, &wq, &lwork, &iq, &liwork, &info, 1, 1)
        guard info == 0 else { throw TensorError("eigenvalues: LAPACK dsyevd workspace query failed (info \(info))") }
        lwork = Int32(wq); liwork = max(iq, 1)
        var wk = [Double](repeating: 0, count: Int(lwork))
        var iwk = [Int32](repeating: 0, count: Int(liwork))
        dsyevd_(jobz, uplo, &nn, &work, &lda, &w, &wk, &lwork, &iwk, &liwork, &info, 1, 1)
        guard info == 0 else { throw TensorError("eigenvalues: LAPACK dsyevd did not converge (info \(info))") }
        return w.reversed()
    }

    /// Eigen-decomposition of the symmetric tridiagonal matrix with diagonal d and
    /// off-diagonal e (LAPACK dstev). Returns ascending eigenvalues and, for each, the first
    /// component of its unit eigenvector (what Lanczos quadrature needs).
    public static func tridiagonal(diagonal d: [Double], offDiagonal e: [Double]) throws -> (values: [Double], firstComponents: [Double]) {
        let (values, z) = try tridiagonalVectors(diagonal: d, offDiagonal: e)
        let n = d.count
        // Column-major: eigenvector k is z[k*n ..< (k+1)*n]; its first component is z[k*n].
        return (values, (0..<n).map { z[$0 * n] })
    }

    /// Ascending eigenvalues and the unit eigenvectors, column-major (vector k is
    /// z[k*n ..< (k+1)*n]), of a symmetric tridiagonal matrix (LAPACK dstev).
    public static func tridiagonalVectors(diagonal d: [Double], offDiagonal e: [Double]) throws -> (values: [Double], vectors: [Double]) {
        try SystemInfo.checkBLASReady()
        let n = d.count
        precondition(e.count == max(n - 1, 0))
        if n == 0 { return ([], []) }
        var dd = d, ee = e + [0]
        var z = [Double](repeating: 0, count: n * n)
        var work = [Double](repeating: 0, count: max(1, 2 * n - 2))
        var nn = Int32(n), ldz = Int32(n), info: Int32 = 0
        dstev_("V", &nn, &dd, &ee, &z, &ldz, &work, &info, 1)
        guard info == 0 else { throw TensorError("tridiagonal eigenproblem: LAPACK dstev did not converge (info \(info))") }
        return (dd, z)
    }
}

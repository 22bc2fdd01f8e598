import COpenBLAS

/// A 2-D operand as BLAS sees it: row-major with a leading dimension, possibly transposed.
/// Transposed views are passed with CblasTrans instead of being copied.
struct BlasMatrix {
    let tensor: Tensor
    let transposed: Bool
    let ld: Int

    /// Describes t (2-D) for BLAS, copying only when neither dimension has unit stride.
    init(_ t: Tensor) throws {
        try SystemInfo.checkBLASReady()
        let rows = t.shape[0], cols = t.shape[1]
        // BLAS takes 32-bit sizes: larger ones would trap when converted.
        guard rows <= Int32.max, cols <= Int32.max, t.strides.allSatisfy({ abs($0) <= Int32.max }) else {
            throw TensorError("matmul: a matrix of shape \(shapeText(t.shape)) is too large for BLAS (at most \(Int32.max) rows and columns)")
        }
        if t.strides[1] == 1 && (rows == 1 || t.strides[0] >= max(cols, 1)) {
            tensor = t; transposed = false; ld = rows == 1 ? max(cols, 1) : t.strides[0]
        } else if t.strides[0] == 1 && (cols == 1 || t.strides[1] >= max(rows, 1)) {
            tensor = t; transposed = true; ld = cols == 1 ? max(rows, 1) : t.strides[1]
        } else {
            let c = try t.clone()
            tensor = c; transposed = false; ld = max(cols, 1)
        }
    }

    var trans: CBLAS_TRANSPOSE { transposed ? CblasTrans : CblasNoTrans }
}

extension Tensor {
    /// Matrix-matrix (2-D x 2-D), matrix-vector (2-D x 1-D), vector-matrix (1-D x 2-D) and
    /// vector-vector products, through BLAS gemm/gemv.
    public static func matmul(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        guard (1...2).contains(a.rank), (1...2).contains(b.rank) else {
            throw TensorError("matmul: expected 1-D or 2-D tensors, got \(a.rank)-D and \(b.rank)-D")
        }
        let inner = a.shape[a.rank - 1], bInner = b.shape[0]
        guard inner == bInner else {
            throw TensorError("matmul: shapes \(shapeText(a.shape)) and \(shapeText(b.shape)) do not align")
        }
        let dtype = DType.promote(a.dtype, b.dtype)
        try checkedCount([a.rank == 2 ? a.shape[0] : 1, b.rank == 2 ? b.shape[1] : 1], dtype, "matmul")
        if a.rank == 2 && b.rank == 1 {
            return try gemv(try a.converted(to: dtype), try b.converted(to: dtype), transposeMatrix: false)
        }
        if a.rank == 1 && b.rank == 2 {
            return try gemv(try b.converted(to: dtype), try a.converted(to: dtype), transposeMatrix: true)
        }
        let a2 = try (a.rank == 1 ? a.view1(asRow: true) : a).converted(to: dtype)
        let b2 = try (b.rank == 1 ? b.view1(asRow: false) : b).converted(to: dtype)
        let out = try Tensor(uninitialized: [a2.shape[0], b2.shape[1]], dtype: dtype)
        try gemm(a2, b2, into: out, alpha: 1, beta: 0)
        var outShape: [Int] = []
        if a.rank == 2 { outShape.append(a.shape[0]) }
        if b.rank == 2 { outShape.append(b.shape[1]) }
        return try out.view(outShape)
    }

    /// y = m x (or m^T x) through BLAS gemv; the vector may be strided.
    static func gemv(_ m: Tensor, _ x: Tensor, transposeMatrix: Bool) throws -> Tensor {
        let M = try BlasMatrix(m)
        let rows = m.shape[0], cols = m.shape[1]
        let out = try Tensor(zeros: [transposeMatrix ? cols : rows], dtype: m.dtype)
        if rows == 0 || cols == 0 { return out }
        // BLAS sees the stored (untransposed) matrix; flip the flag for a transposed view.
        let storedRows = M.transposed ? cols : rows, storedCols = M.transposed ? rows : cols
        let trans = (M.transposed != transposeMatrix) ? CblasTrans : CblasNoTrans
        let incx = Int32(x.strides[0] == 0 ? 1 : x.strides[0])
        let xs = x.strides[0] == 0 ? try x.clone() : x
        switch m.dtype {
        case .float64:
            cblas_dgemv(CblasRowMajor, trans, Int32(storedRows), Int32(storedCols), 1, M.tensor.pointer(Double.self),
                        Int32(M.ld), xs.pointer(Double.self), incx, 0, out.pointer(Double.self), 1)
        case .float32:
            cblas_sgemv(CblasRowMajor, trans, Int32(storedRows), Int32(storedCols), 1, M.tensor.pointer(Float.self),
                        Int32(M.ld), xs.pointer(Float.self), incx, 0, out.pointer(Float.self), 1)
        }
        return out
    }

    /// A 1-D tensor as a 1 x n row or an n x 1 column (a view).
    func view1(asRow: Bool) throws -> Tensor {
        let n = shape[0]
        return Tensor(storage: storage, shape: asRow ? [1, n] : [n, 1],
                      strides: asRow ? [strides[0] * n + 1, strides[0]] : [strides[0], 1], offset: offset)
    }

    /// out = alpha * a b + beta * out (aᵀ b with `transposeA`, without building the view), all
    /// 2-D of the same dtype; out must be contiguous.
    public static func gemm(_ a: Tensor, _ b: Tensor, into out: Tensor, alpha: Double, beta: Double,
                            transposeA: Bool = false) throws {
        precondition(out.isContiguous && a.dtype == out.dtype && b.dtype == out.dtype)
        let m = a.shape[transposeA ? 1 : 0], k = a.shape[transposeA ? 0 : 1], n = b.shape[1]
        if m == 0 || n == 0 { return }
        if k == 0 {
            // An empty sum: out = beta * out, without reading out when beta is 0 (it may be
            // uninitialized, and 0 * NaN is NaN).
            if beta == 0 { out.fill(0) } else { try out.apply(.mul, scalar: beta) }
            return
        }
        let A = try BlasMatrix(a), B = try BlasMatrix(b)
        let transA = A.transposed != transposeA ? CblasTrans : CblasNoTrans
        switch out.dtype {
        case .float64:
            cblas_dgemm(CblasRowMajor, transA, B.trans, Int32(m), Int32(n), Int32(k), alpha,
                        A.tensor.pointer(Double.self), Int32(A.ld), B.tensor.pointer(Double.self), Int32(B.ld),
                        beta, out.pointer(Double.self), Int32(max(n, 1)))
        case .float32:
            cblas_sgemm(CblasRowMajor, transA, B.trans, Int32(m), Int32(n), Int32(k), Float(alpha),
                        A.tensor.pointer(Float.self), Int32(A.ld), B.tensor.pointer(Float.self), Int32(B.ld),
                        Float(beta), out.pointer(Float.self), Int32(max(n, 1)))
        }
    }
}

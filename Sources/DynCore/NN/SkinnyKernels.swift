import CKernels

/// Matrix products where one side is tiny: the paper's 2-input first layer (X: N x 2) and
/// 3-class last layer (W: 100 x 3). OpenBLAS spends most of its time on such shapes packing and
/// padding panels built for large blocks; the C kernels in CKernels do each product in one
/// vectorized pass, with an order of additions fixed in the source (the same bits on every CPU,
/// and for every caller: train.fit and a hand-written Lua loop share these kernels).
///
/// All matrices here are row-major with contiguous rows (`ld` = row stride); the output and the
/// accumulated gradients are contiguous.
enum SkinnyKernels {
    /// The largest "tiny" dimension.
    static let small = Int(DYN_SMALL)

    /// Whether a layer of n_in -> n_out goes through these kernels.
    static func applies(inputs k: Int, outputs m: Int) -> Bool { min(k, m) <= small }

    /// A 2-D matrix with unit column stride (copied when it has none), and its row stride.
    static func rowsContiguous(_ t: Tensor) throws -> (Tensor, Int) {
        let c = t.strides[1] == 1 || t.shape[1] <= 1 ? t : try t.clone()
        return (c, c.shape[0] <= 1 ? max(c.shape[1], 1) : c.strides[0])
    }

    /// C = A B (+ bias on every row): A is n x k, B is k x m with row stride ldb, C n x m.
    /// k small: rows of B are added into C's rows; m small: dot products against B^T, which
    /// `bt` must hold (m x k contiguous).
    static func product(_ a: Tensor, lda: Int, _ b: Tensor, ldb: Int, bt: Tensor?, bias: Tensor?,
                        into c: Tensor, n: Int, k: Int, m: Int) {
        switch c.dtype {
        case .float64:
            let ap = a.pointer(Double.self), cp = c.pointer(Double.self), bp = bias?.pointer(Double.self)
            if k <= small { dyn_rows_f64(n, k, m, ap, lda, b.pointer(Double.self), ldb, bp, cp, m) }
            else { dyn_dots_f64(n, k, m, ap, lda, bt!.pointer(Double.self), k, bp, cp, m) }
        case .float32:
            let ap = a.pointer(Float.self), cp = c.pointer(Float.self), bp = bias?.pointer(Float.self)
            if k <= small { dyn_rows_f32(n, k, m, ap, lda, b.pointer(Float.self), ldb, bp, cp, m) }
            else { dyn_dots_f32(n, k, m, ap, lda, bt!.pointer(Float.self), k, bp, cp, m) }
        }
    }

    /// C = max(A B + bias, 0) in one pass, for k <= small.
    static func productWithReLU(_ a: Tensor, lda: Int, _ b: Tensor, ldb: Int, bias: Tensor?, into c: Tensor,
                                n: Int, k: Int, m: Int) {
        switch c.dtype {
        case .float64: dyn_rows_relu_f64(n, k, m, a.pointer(Double.self), lda, b.pointer(Double.self), ldb,
                                         bias?.pointer(Double.self), c.pointer(Double.self), m)
        case .float32: dyn_rows_relu_f32(n, k, m, a.pointer(Float.self), lda, b.pointer(Float.self), ldb,
                                         bias?.pointer(Float.self), c.pointer(Float.self), m)
        }
    }

    /// C = (A B) with C[r, j] = 0 where mask[r, j] <= 0, for k <= small (mask: n x m, contiguous).
    static func maskedProduct(_ a: Tensor, lda: Int, _ b: Tensor, ldb: Int, mask: Tensor, into c: Tensor,
                              n: Int, k: Int, m: Int) {
        switch c.dtype {
        case .float64: dyn_rows_masked_f64(n, k, m, a.pointer(Double.self), lda, b.pointer(Double.self), ldb,
                                           mask.pointer(Double.self), c.pointer(Double.self), m)
        case .float32: dyn_rows_masked_f32(n, k, m, a.pointer(Float.self), lda, b.pointer(Float.self), ldb,
                                           mask.pointer(Float.self), c.pointer(Float.self), m)
        }
    }

    /// D += A^T G and db += column sums of G (when given), for A (n x k), G (n x m), D (k x m,
    /// contiguous), min(k, m) small: one pass over G.
    static func addTransposedProduct(_ a: Tensor, lda: Int, _ g: Tensor, ldg: Int, into d: Tensor, bias db: Tensor?,
                                     n: Int, k: Int, m: Int) {
        switch d.dtype {
        case .float64: dyn_tn_acc_f64(n, k, m, a.pointer(Double.self), lda, g.pointer(Double.self), ldg,
                                      d.pointer(Double.self), db?.pointer(Double.self))
        case .float32: dyn_tn_acc_f32(n, k, m, a.pointer(Float.self), lda, g.pointer(Float.self), ldg,
                                      d.pointer(Float.self), db?.pointer(Float.self))
        }
    }

    /// out (cols x rows, contiguous) = the transpose of the contiguous-rows matrix t.
    static func transpose(_ t: Tensor, ld: Int, into out: Tensor) throws {
        let rows = t.shape[0], cols = t.shape[1]
        switch t.dtype {
        case .float64: dyn_transpose_f64(rows, cols, t.pointer(Double.self), ld, out.pointer(Double.self))
        case .float32: dyn_transpose_f32(rows, cols, t.pointer(Float.self), ld, out.pointer(Float.self))
        }
    }

    /// C = A B (+ bias on every row), or C += A B when `accumulate` (then bias must be nil), for
    /// contiguous row-major A (n x k) and B (k x m), with bt = B^T (m x k, contiguous) and C
    /// (n x m): one skinny kernel when min(k, m) <= small (accumulating through `scratch`, which
    /// the caller keeps for this shape of C), BLAS otherwise.
    static func multiply(_ a: Tensor, _ b: Tensor, transposed bt: Tensor, bias: Tensor?, into c: Tensor,
                         accumulate: Bool, scratch: inout Tensor?) throws {
        precondition(bias == nil || !accumulate, "multiply: a bias only when not accumulating")
        let n = a.shape[0], k = a.shape[1], m = c.shape[1]
        guard applies(inputs: k, outputs: m) else {
            if let bias { fillRows(c, bias) }
            try Tensor.gemm(a, b, into: c, alpha: 1, beta: accumulate || bias != nil ? 1 : 0)
            return
        }
        let target = accumulate ? try Buffers.reuse(&scratch, rows: n, cols: m, dtype: c.dtype) : c
        product(a, lda: k, b, ldb: m, bt: k > small ? bt : nil, bias: bias, into: target, n: n, k: k, m: m)
        if accumulate { add(target, into: c) }
    }

    /// Every row of the contiguous matrix c set to the contiguous vector b.
    static func fillRows(_ c: Tensor, _ b: Tensor) {
        switch c.dtype {
        case .float64: Linear.fillRows(c.pointer(Double.self), c.shape[0], c.shape[1], b.pointer(Double.self))
        case .float32: Linear.fillRows(c.pointer(Float.self), c.shape[0], c.shape[1], b.pointer(Float.self))
        }
    }

    /// c += t for contiguous tensors of the same shape.
    private static func add(_ t: Tensor, into c: Tensor) {
        switch c.dtype {
        case .float64: add(t.pointer(Double.self), into: c.pointer(Double.self), c.count)
        case .float32: add(t.pointer(Float.self), into: c.pointer(Float.self), c.count)
        }
    }

    private static func add<T: TensorScalar>(_ x: UnsafePointer<T>, into y: UnsafeMutablePointer<T>, _ count: Int) {
        for i in 0..<count { y[i] += x[i] }
    }
}

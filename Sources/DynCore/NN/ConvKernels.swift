import CKernels
import COpenBLAS

/// The C kernels and BLAS products of Conv2d for one element type, so that the layer's chunk
/// loops are written once for float64 and float32.
protocol ConvKernels: TensorScalar {
    static func im2col(_ g: UnsafePointer<dyn_window>, _ c: Int, _ n: Int, _ x: UnsafePointer<Self>, _ col: UnsafeMutablePointer<Self>, _ ld: Int)
    static func col2im(_ g: UnsafePointer<dyn_window>, _ c: Int, _ n: Int, _ col: UnsafePointer<Self>, _ ld: Int, _ x: UnsafeMutablePointer<Self>)
    static func scatter(_ n: Int, _ o: Int, _ p: Int, _ z: UnsafePointer<Self>, _ bias: UnsafePointer<Self>?, _ y: UnsafeMutablePointer<Self>)
    static func gather(_ n: Int, _ o: Int, _ p: Int, _ y: UnsafePointer<Self>, _ z: UnsafeMutablePointer<Self>)
    static func rowSums(_ rows: Int, _ cols: Int, _ z: UnsafePointer<Self>, _ sums: UnsafeMutablePointer<Self>)
    static func addInto(_ n: Int, _ src: UnsafePointer<Self>, _ dst: UnsafeMutablePointer<Self>)
    /// c (m x n, row-major, ldc n) = op(a) op(b), with op(a) m x k and op(b) k x n.
    static func gemm(transA: Bool, transB: Bool, _ m: Int, _ n: Int, _ k: Int,
                     _ a: UnsafePointer<Self>, _ lda: Int, _ b: UnsafePointer<Self>, _ ldb: Int, _ c: UnsafeMutablePointer<Self>)
}

private func blasTrans(_ t: Bool) -> CBLAS_TRANSPOSE { t ? CblasTrans : CblasNoTrans }

extension Double: ConvKernels {
    static func im2col(_ g: UnsafePointer<dyn_window>, _ c: Int, _ n: Int, _ x: UnsafePointer<Double>, _ col: UnsafeMutablePointer<Double>, _ ld: Int) {
        dyn_im2col_batch_f64(g, c, n, x, col, ld)
    }
    static func col2im(_ g: UnsafePointer<dyn_window>, _ c: Int, _ n: Int, _ col: UnsafePointer<Double>, _ ld: Int, _ x: UnsafeMutablePointer<Double>) {
        dyn_col2im_batch_f64(g, c, n, col, ld, x)
    }
    static func scatter(_ n: Int, _ o: Int, _ p: Int, _ z: UnsafePointer<Double>, _ bias: UnsafePointer<Double>?, _ y: UnsafeMutablePointer<Double>) {
        dyn_conv_scatter_f64(n, o, p, z, bias, y)
    }
    static func gather(_ n: Int, _ o: Int, _ p: Int, _ y: UnsafePointer<Double>, _ z: UnsafeMutablePointer<Double>) {
        dyn_conv_gather_f64(n, o, p, y, z)
    }
    static func rowSums(_ rows: Int, _ cols: Int, _ z: UnsafePointer<Double>, _ sums: UnsafeMutablePointer<Double>) {
        dyn_row_sums_f64(rows, cols, z, sums)
    }
    static func addInto(_ n: Int, _ src: UnsafePointer<Double>, _ dst: UnsafeMutablePointer<Double>) {
        dyn_add_into_f64(n, src, dst)
    }
    static func gemm(transA: Bool, transB: Bool, _ m: Int, _ n: Int, _ k: Int,
                     _ a: UnsafePointer<Double>, _ lda: Int, _ b: UnsafePointer<Double>, _ ldb: Int, _ c: UnsafeMutablePointer<Double>) {
        cblas_dgemm(CblasRowMajor, blasTrans(transA), blasTrans(transB), Int32(m), Int32(n), Int32(k), 1,
                    a, Int32(lda), b, Int32(ldb), 0, c, Int32(n))
    }
}

extension Float: ConvKernels {
    static func im2col(_ g: UnsafePointer<dyn_window>, _ c: Int, _ n: Int, _ x: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>, _ ld: Int) {
        dyn_im2col_batch_f32(g, c, n, x, col, ld)
    }
    static func col2im(_ g: UnsafePointer<dyn_window>, _ c: Int, _ n: Int, _ col: UnsafePointer<Float>, _ ld: Int, _ x: UnsafeMutablePointer<Float>) {
        dyn_col2im_batch_f32(g, c, n, col, ld, x)
    }
    static func scatter(_ n: Int, _ o: Int, _ p: Int, _ z: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?, _ y: UnsafeMutablePointer<Float>) {
        dyn_conv_scatter_f32(n, o, p, z, bias, y)
    }
    static func gather(_ n: Int, _ o: Int, _ p: Int, _ y: UnsafePointer<Float>, _ z: UnsafeMutablePointer<Float>) {
        dyn_conv_gather_f32(n, o, p, y, z)
    }
    static func rowSums(_ rows: Int, _ cols: Int, _ z: UnsafePointer<Float>, _ sums: UnsafeMutablePointer<Float>) {
        dyn_row_sums_f32(rows, cols, z, sums)
    }
    static func addInto(_ n: Int, _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>) {
        dyn_add_into_f32(n, src, dst)
    }
    static func gemm(transA: Bool, transB: Bool, _ m: Int, _ n: Int, _ k: Int,
                     _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int, _ c: UnsafeMutablePointer<Float>) {
        cblas_sgemm(CblasRowMajor, blasTrans(transA), blasTrans(transB), Int32(m), Int32(n), Int32(k), 1,
                    a, Int32(lda), b, Int32(ldb), 0, c, Int32(n))
    }
}

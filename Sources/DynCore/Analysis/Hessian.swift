/// The Hessian of a loss with respect to a model's flat parameters, from exact
/// Hessian-vector products: the full matrix for small models, and its extreme eigenvalues by
/// Lanczos for any size.
public enum Hessian {
    /// The full P x P Hessian, column j = H e_j, symmetrized ((H + Hᵀ)/2 removes rounding-level
    /// asymmetry).
    public static func full(_ hvp: HessianVectorProduct) throws -> Tensor {
        try hvp.prepare()
        let p = hvp.dimension
        let h = Tensor(zeros: [p, p])
        var e = [Double](repeating: 0, count: p), column = [Double](repeating: 0, count: p)
        let ptr = h.pointer(Double.self)
        for j in 0..<p {
            e[j] = 1
            try hvp.apply(e, into: &column)
            e[j] = 0
            for i in 0..<p { ptr[i * p + j] = column[i] }
        }
        for i in 0..<p {
            for j in (i + 1)..<max(p, i + 1) {
                let s = 0.5 * (ptr[i * p + j] + ptr[j * p + i])
                ptr[i * p + j] = s; ptr[j * p + i] = s
            }
        }
        return h
    }

    /// The k largest eigenvalues, descending (or with `smallest`, the k smallest, ascending),
    /// by Lanczos with full reorthogonalization over `iterations` exact products.
    public static func extremeEigenvalues(_ hvp: HessianVectorProduct, k: Int, iterations: Int?, seed: UInt64,
                                          smallest: Bool = false) throws -> [Double] {
        guard k >= 1 else { throw TensorError("hessian_top: k must be >= 1, got \(k)") }
        let p = hvp.dimension
        guard k <= p else { throw TensorError("hessian_top: k = \(k) exceeds the \(p) parameters") }
        let iters = min(p, iterations ?? max(4 * k, 64))
        guard iters >= k else { throw TensorError("hessian_top: iters = \(iters) is below k = \(k)") }
        try hvp.prepare()
        let lanczos = Lanczos(dimension: p, iterations: iters, seed: seed)
        let t = try lanczos.run { v, out in try hvp.apply(v, into: &out) }
        let ritz = try Lanczos.ritzValues(t)
        return smallest ? Array(ritz.reversed().prefix(k)) : Array(ritz.prefix(k))
    }
}

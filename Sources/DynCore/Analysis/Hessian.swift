/// The Hessian of a loss with respect to a model's flat parameters, from exact
/// Hessian-vector products: the full matrix for small models, and its extreme eigenvalues by
/// Lanczos for any size.
public enum Hessian {
    /// The full P x P Hessian, column j = H e_j, symmetrized ((H + Hᵀ)/2 removes rounding-level
    /// asymmetry).
    public static func full(_ hvp: HessianVectorProduct) throws -> Tensor {
        try hvp.prepare()
        let p = hvp.dimension
        let h = try Tensor(zeros: [p, p])
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
    /// by Lanczos with full reorthogonalization on exact products. Stops when every returned
    /// eigenvalue is within `tolerance` (relative) of an eigenvalue of H, or after `iterations`
    /// steps (default max(4k, 64), at most P). The start vector is normal noise from `seed`,
    /// mixed with `warmStart` vectors when given (the previous measurement's Ritz vectors).
    public static func extremeEigenpairs(_ hvp: HessianVectorProduct, k: Int, iterations: Int?, seed: UInt64,
                                         smallest: Bool = false, tolerance: Double = 1e-7,
                                         warmStart: [[Double]] = []) throws -> ExtremeEigenpairs.Result {
        guard k >= 1 else { throw TensorError("hessian_top: k must be >= 1, got \(k)") }
        let p = hvp.dimension
        guard k <= p else { throw TensorError("hessian_top: k = \(k) exceeds the \(p) parameters") }
        let iters = min(p, iterations ?? max(4 * k, 64))
        guard iters >= k else { throw TensorError("hessian_top: iters = \(iters) is below k = \(k)") }
        try hvp.prepare()
        var g = Generator(seed: seed)
        var start = (0..<p).map { _ in g.normal() }
        if !warmStart.isEmpty {
            // Mostly the previous eigenvectors, with a little noise so that nothing is missed.
            Lanczos.normalize(&start)
            for i in 0..<p { start[i] *= 1e-2 }
            for v in warmStart where v.count == p { for i in 0..<p { start[i] += v[i] } }
        }
        let solver = ExtremeEigenpairs(k: k, maxIterations: iters, tolerance: tolerance, smallest: smallest)
        return try solver.run(dimension: p, start: start) { v, out in try hvp.apply(v, into: &out) }
    }

    public static func extremeEigenvalues(_ hvp: HessianVectorProduct, k: Int, iterations: Int?, seed: UInt64,
                                          smallest: Bool = false) throws -> [Double] {
        try extremeEigenpairs(hvp, k: k, iterations: iterations, seed: seed, smallest: smallest).values
    }
}

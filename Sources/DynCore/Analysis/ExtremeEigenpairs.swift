/// The k largest (or smallest) eigenpairs of a symmetric operator by Lanczos with full
/// reorthogonalization, stopping as soon as they are accurate.
///
/// After m steps, the Ritz pair (θ_i, y_i = Q s_i) has residual ‖A y_i - θ_i y_i‖ = β_m |s_{m,i}|
/// (β_m: the norm of the next Lanczos vector, s_{m,i}: the last component of T_m's eigenvector).
/// For a symmetric A some eigenvalue lies within that residual of θ_i, so stopping when every
/// wanted residual is below `tolerance` · max(1, |θ_1|) bounds their relative error by
/// `tolerance`. A start vector close to the wanted eigenvectors (the previous measurement's
/// Ritz vectors, during training) makes this happen in a few steps.
public struct ExtremeEigenpairs {
    public var k: Int
    public var maxIterations: Int
    public var tolerance: Double
    public var smallest: Bool

    public init(k: Int, maxIterations: Int, tolerance: Double = 1e-7, smallest: Bool = false) {
        self.k = k
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.smallest = smallest
    }

    public struct Result {
        /// Descending for the largest, ascending for the smallest.
        public var values: [Double]
        /// Unit Ritz vectors, in the order of `values`.
        public var vectors: [[Double]]
        public var iterations: Int
        /// The largest residual of the returned pairs.
        public var residual: Double
    }

    public func run(dimension n: Int, start: [Double], _ apply: (_ v: [Double], _ out: inout [Double]) throws -> Void) throws -> Result {
        let m = min(maxIterations, n)
        guard k >= 1, k <= m else { throw TensorError("eigenpairs: k = \(k) must be between 1 and the number of iterations \(m)") }
        var q = start
        Lanczos.normalize(&q)
        guard Lanczos.dot(q, q) > 0.5 else { throw TensorError("eigenpairs: the start vector is zero") }
        var basis = KrylovBasis(dimension: n)
        try basis.append(q)
        var alpha: [Double] = [], beta: [Double] = []
        var w = [Double](repeating: 0, count: n), v = q
        var result: Result? = nil
        for j in 0..<m {
            basis.copy(j, into: &v)
            try apply(v, &w)
            alpha.append(basis.dot(j, w))
            basis.orthogonalize(&w)
            let b = Lanczos.dot(w, w).squareRoot()
            let size = j + 1
            // Check convergence once there are enough Ritz values, and at the end.
            if size >= k && (size >= 2 * k || size == m || b == 0) {
                let (values, z) = try SymmetricEigen.tridiagonalVectors(diagonal: alpha, offDiagonal: beta)
                let order = smallest ? Array(0..<k) : Array((size - k..<size).reversed())
                let residuals = order.map { b * Swift.abs(z[$0 * size + size - 1]) }
                let scale = max(1, Swift.abs(values[order[0]]), Swift.abs(values[smallest ? size - 1 : 0]))
                let worst = residuals.max() ?? 0
                if worst <= tolerance * scale || size == m || b <= 1e-14 * scale {
                    let vectors = order.map { col in basis.combination { z[col * size + $0] } }
                    result = Result(values: order.map { values[$0] }, vectors: vectors, iterations: size, residual: worst)
                    break
                }
            }
            beta.append(b)
            try basis.append(w, dividedBy: b)
        }
        guard let r = result else { throw TensorError("eigenpairs: internal error: no result after \(m) iterations") }
        return r
    }
}

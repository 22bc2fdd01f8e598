/// The Lanczos iteration with full reorthogonalization, on a symmetric operator given only by
/// its action v -> A v (for the Hessian: an exact Hessian-vector product).
///
/// After m steps, the tridiagonal T_m = Q^T A Q has Ritz values approximating A's extreme
/// eigenvalues; reorthogonalizing every new vector against all previous ones (twice, "twice is
/// enough") keeps Q orthonormal in floating point, so no spurious copies of converged values
/// appear. With m equal to the dimension the Ritz values are A's eigenvalues.
public struct Lanczos {
    public let dimension: Int
    public var iterations: Int
    public var seed: UInt64

    public init(dimension: Int, iterations: Int, seed: UInt64 = 0) {
        self.dimension = dimension
        self.iterations = iterations
        self.seed = seed
    }

    /// The tridiagonal coefficients: alpha (diagonal) and beta (off-diagonal, one fewer).
    public struct Tridiagonal {
        public var alpha: [Double] = []
        public var beta: [Double] = []
    }

    /// Runs the iteration from a random unit start vector (normal draws from `seed`).
    public func run(_ apply: (_ v: [Double], _ out: inout [Double]) throws -> Void) throws -> Tridiagonal {
        var g = Generator(seed: seed)
        var q = (0..<dimension).map { _ in g.normal() }
        return try run(start: &q, apply)
    }

    public func run(start: inout [Double], _ apply: (_ v: [Double], _ out: inout [Double]) throws -> Void) throws -> Tridiagonal {
        let n = dimension
        let m = min(iterations, n)
        var t = Tridiagonal()
        guard n > 0, m > 0 else { return t }
        Lanczos.normalize(&start)
        var basis = KrylovBasis(dimension: n)
        try basis.append(start)
        var w = [Double](repeating: 0, count: n), v = start
        for j in 0..<m {
            basis.copy(j, into: &v)
            try apply(v, &w)
            let alpha = basis.dot(j, w)
            t.alpha.append(alpha)
            if j == m - 1 { break }
            // Full reorthogonalization, two passes.
            basis.orthogonalize(&w)
            let beta = Lanczos.dot(w, w).squareRoot()
            // An invariant subspace has been found: T already holds exact eigenvalues of A on it.
            if beta <= 1e-12 * max(1, Swift.abs(alpha)) { break }
            t.beta.append(beta)
            try basis.append(w, dividedBy: beta)
        }
        return t
    }

    /// Ritz values of the run, descending.
    public static func ritzValues(_ t: Tridiagonal) throws -> [Double] {
        try SymmetricEigen.tridiagonal(diagonal: t.alpha, offDiagonal: t.beta).values.reversed()
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for i in 0..<a.count { s += a[i] * b[i] }
        return s
    }

    static func normalize(_ v: inout [Double]) {
        let norm = dot(v, v).squareRoot()
        if norm > 0 { for i in 0..<v.count { v[i] /= norm } }
    }
}

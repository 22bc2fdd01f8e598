import Foundation

/// Stochastic Lanczos quadrature estimate of the eigenvalue density of a symmetric operator
/// (the method used for neural-network Hessians by Ghorbani, Krishnan and Xiao, 2019).
///
/// For each random unit start vector v, m Lanczos steps give Ritz values theta_k and weights
/// tau_k = (first component of the k-th eigenvector of T)^2, which sum to 1; the quadrature
/// sum_k tau_k delta(t - theta_k) approximates v^T delta(t - A) v, whose mean over v is the
/// density (1/n) sum_i delta(t - lambda_i). Each delta is smoothed into a Gaussian of width sigma.
public struct SpectralDensity {
    public var iterations: Int
    public var starts: Int
    public var sigma: Double
    public var gridPoints: Int
    public var seed: UInt64
    /// Limits for arguments a script gives: past them the estimate would not improve in any
    /// useful way, and the work or the grid would be huge.
    public static let maxStarts = 1000
    public static let maxGridPoints = 1_000_000

    public init(iterations: Int = 80, starts: Int = 4, sigma: Double = 0, gridPoints: Int = 512, seed: UInt64 = 0) {
        self.iterations = iterations
        self.starts = starts
        self.sigma = sigma
        self.gridPoints = gridPoints
        self.seed = seed
    }

    /// Returns the grid and the density on it. sigma 0 chooses 1% of the spectrum's width.
    public func estimate(dimension: Int, _ apply: (_ v: [Double], _ out: inout [Double]) throws -> Void) throws -> (grid: [Double], density: [Double]) {
        var nodes: [(Double, Double)] = []
        for s in 0..<starts {
            let lanczos = Lanczos(dimension: dimension, iterations: iterations, seed: seed &+ UInt64(s))
            let t = try lanczos.run(apply)
            let (values, first) = try SymmetricEigen.tridiagonal(diagonal: t.alpha, offDiagonal: t.beta)
            for k in 0..<values.count { nodes.append((values[k], first[k] * first[k] / Double(starts))) }
        }
        guard let lo = nodes.map(\.0).min(), let hi = nodes.map(\.0).max() else { return ([], []) }
        let width = max(hi - lo, 1e-12 * max(1, Swift.abs(hi)))
        let s = sigma > 0 ? sigma : 0.01 * width
        let grid = Tensor.linspaceValues(lo - 5 * s, hi + 5 * s, gridPoints)
        let norm = 1 / (s * (2 * Double.pi).squareRoot())
        let density = grid.map { t in
            nodes.reduce(0.0) { acc, node in
                let z = (t - node.0) / s
                return acc + node.1 * norm * Foundation.exp(-0.5 * z * z)
            }
        }
        return (grid, density)
    }
}

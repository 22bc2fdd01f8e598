/// Landscape measurements repeated along a training run (train.fit's `analysis` option): the
/// Hessian's top eigenvalues, each Lanczos run warm-started from the previous measurement's
/// Ritz vectors (the Hessian moves little between two measurements, so a few products
/// suffice), and the NTK's largest eigenvalue on a fixed set of points.
public final class CurvatureTracker {
    public let hvp: HessianVectorProduct
    public let k: Int
    public let iterations: Int?
    public let seed: UInt64
    public let ntkPoints: Tensor?
    /// The previous measurement's Ritz vectors (saved by training checkpoints: a resumed run
    /// must start its next Lanczos run where the uninterrupted one would).
    public var previous: [[Double]] = []
    /// Lanczos steps taken by the last measurement.
    public private(set) var lastIterations = 0

    public init(hvp: HessianVectorProduct, k: Int, iterations: Int?, seed: UInt64, ntkPoints: Tensor?) throws {
        guard k >= 0 else { throw TensorError("analysis: hessian_top must be >= 0, got \(k)") }
        self.hvp = hvp; self.k = k; self.iterations = iterations; self.seed = seed; self.ntkPoints = ntkPoints
    }

    /// The k largest Hessian eigenvalues (descending) and the largest NTK eigenvalue, at the
    /// model's current parameters and the loss's current weights.
    public func measure() throws -> (top: [Double], ntkMax: Double?) {
        var top: [Double] = []
        if k > 0 {
            let r = try Hessian.extremeEigenpairs(hvp, k: k, iterations: iterations, seed: seed, warmStart: previous)
            previous = r.vectors
            lastIterations = r.iterations
            top = r.values
        }
        let ntk = try ntkPoints.map { try NeuralTangentKernel.eigenvalues(hvp.model, $0).first ?? .nan }
        return (top, ntk)
    }
}

import Foundation

/// Adam (Kingma and Ba, 2015) as PyTorch's torch.optim.Adam computes it, with weight decay
/// added to the gradient (L2 regularization, not AdamW's decoupled decay):
///     g = grad + weight_decay * p
///     m = beta1 * m + (1 - beta1) * g
///     v = beta2 * v + (1 - beta2) * g^2
///     p = p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
public final class Adam: Optimizer {
    public let beta1: Double
    public let beta2: Double
    public let eps: Double
    public let weightDecay: Double
    /// First and second moment estimates, one buffer each per parameter.
    public let firstMoments: [Tensor]
    public let secondMoments: [Tensor]

    public init(module: Module, lr: Double, beta1: Double = 0.9, beta2: Double = 0.999,
                eps: Double = 1e-8, weightDecay: Double = 0) throws {
        let name = "optim.Adam"
        for (label, b) in [("betas[1]", beta1), ("betas[2]", beta2)] where !(b >= 0 && b < 1) {
            throw TensorError("\(name): \(label) must be in [0, 1), got \(b)")
        }
        guard eps.isFinite, eps >= 0 else { throw TensorError("\(name): eps must be a finite number >= 0, got \(eps)") }
        guard weightDecay.isFinite, weightDecay >= 0 else { throw TensorError("\(name): weight_decay must be a finite number >= 0, got \(weightDecay)") }
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weightDecay = weightDecay
        firstMoments = try module.parameters.map { try Tensor(zeros: $0.shape, dtype: $0.dtype) }
        secondMoments = try module.parameters.map { try Tensor(zeros: $0.shape, dtype: $0.dtype) }
        try super.init(module: module, learningRate: lr, name: name)
    }

    override func update(_ k: Int, _ range: Range<Int>, store: Bool) -> Bool {
        switch parameters[k].dtype {
        case .float64: return kernel(k, Double.self, range, store: store)
        case .float32: return kernel(k, Float.self, range, store: store)
        }
    }

    private func kernel<T: TensorScalar>(_ k: Int, _: T.Type, _ range: Range<Int>, store: Bool) -> Bool {
        let p = parameters[k].pointer(T.self), g = gradients[k].pointer(T.self)
        let m = firstMoments[k].pointer(T.self), v = secondMoments[k].pointer(T.self)
        let t = Double(stepCount)
        // Bias corrections in double precision, then rounded once to T.
        let stepSize = T(learningRate / (1 - Foundation.pow(beta1, t)))
        let rootCorrection2 = T((1 - Foundation.pow(beta2, t)).squareRoot())
        let b1 = T(beta1), b2 = T(beta2), e = T(eps), wd = T(weightDecay)
        // Element i's new moments and parameter.
        let next = { (i: Int) -> (m: T, v: T, p: T) in
            let d = g[i] + wd * p[i]
            let mi = b1 * m[i] + (1 - b1) * d
            let vi = b2 * v[i] + (1 - b2) * d * d
            let denom = vi.squareRoot() / rootCorrection2 + e
            return (mi, vi, p[i] - stepSize * (mi / denom))
        }
        guard store else { return Optimizer.allFinite(range) { next($0).p } }
        for i in range { let u = next(i); m[i] = u.m; v[i] = u.v; p[i] = u.p }
        return true
    }
}

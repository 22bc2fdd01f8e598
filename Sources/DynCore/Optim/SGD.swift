/// Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay,
/// following PyTorch's torch.optim.SGD (dampening 0):
///     g = grad + weight_decay * p
///     buf = g on the first step, else buf = momentum * buf + g          (when momentum != 0)
///     g = g + momentum * buf if nesterov, else g = buf                   (when momentum != 0)
///     p = p - lr * g
public final class SGD: Optimizer {
    public let momentum: Double
    public let weightDecay: Double
    public let nesterov: Bool
    /// The momentum buffers, one per parameter (empty when momentum is 0).
    public let buffers: [Tensor]

    public init(module: Module, lr: Double, momentum: Double = 0, weightDecay: Double = 0,
                nesterov: Bool = false) throws {
        let name = "optim.SGD"
        guard momentum.isFinite, momentum >= 0 else { throw TensorError("\(name): momentum must be a finite number >= 0, got \(momentum)") }
        guard weightDecay.isFinite, weightDecay >= 0 else { throw TensorError("\(name): weight_decay must be a finite number >= 0, got \(weightDecay)") }
        guard !nesterov || momentum > 0 else { throw TensorError("\(name): nesterov momentum requires momentum > 0") }
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        buffers = momentum != 0 ? try module.parameters.map { try Tensor(zeros: $0.shape, dtype: $0.dtype) } : []
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
        let lr = T(learningRate), wd = T(weightDecay), mu = T(momentum)
        if momentum == 0 {
            let next = { (i: Int) -> T in p[i] - lr * (g[i] + wd * p[i]) }
            guard store else { return Optimizer.allFinite(range, next) }
            for i in range { p[i] = next(i) }
            return true
        }
        let b = buffers[k].pointer(T.self)
        let first = stepCount == 1, nesterov = self.nesterov
        let next = { (i: Int) -> (buf: T, p: T) in
            let d = g[i] + wd * p[i]
            let buf = first ? d : mu * b[i] + d
            return (buf, p[i] - lr * (nesterov ? d + mu * buf : buf))
        }
        guard store else { return Optimizer.allFinite(range) { next($0).p } }
        for i in range { let u = next(i); b[i] = u.buf; p[i] = u.p }
        return true
    }
}

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

    override func update(_ k: Int) {
        switch parameters[k].dtype {
        case .float64: kernel(k, Double.self)
        case .float32: kernel(k, Float.self)
        }
    }

    private func kernel<T: TensorScalar>(_ k: Int, _: T.Type) {
        let p = parameters[k].pointer(T.self), g = gradients[k].pointer(T.self)
        let n = parameters[k].count
        let lr = T(learningRate), wd = T(weightDecay), mu = T(momentum)
        if momentum == 0 {
            for i in 0..<n { p[i] -= lr * (g[i] + wd * p[i]) }
            return
        }
        let b = buffers[k].pointer(T.self)
        let first = stepCount == 1
        for i in 0..<n {
            let d = g[i] + wd * p[i]
            let buf = first ? d : mu * b[i] + d
            b[i] = buf
            p[i] -= lr * (nesterov ? d + mu * buf : buf)
        }
    }
}

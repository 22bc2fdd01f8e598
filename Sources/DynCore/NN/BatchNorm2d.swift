/// Batch normalization of each channel of an (N, C, H, W) input:
///     y = weight[c] (x - mean[c]) / sqrt(var[c] + eps) + bias[c].
/// In training mode mean and var are the batch's (over N, H, W; var biased) and the running
/// statistics move towards them: running = (1 - momentum) running + momentum batch (the running
/// var takes the unbiased batch variance, m / (m - 1) var for m values per channel). In
/// evaluation mode the running statistics are used, so the layer is a per-channel affine map.
/// Statistics are accumulated in float64 whatever the dtype.
public final class BatchNorm2d: Module {
    public let channels: Int
    public let eps: Double
    public let momentum: Double
    public private(set) var weight: Tensor
    public private(set) var bias: Tensor
    public private(set) var gradWeight: Tensor
    public private(set) var gradBias: Tensor
    public private(set) var runningMean: Tensor
    public private(set) var runningVar: Tensor

    /// What backward needs from the last forward: x̂ = (x - mean) / sd, 1 / sd per channel, and
    /// whether batch statistics were used.
    private var normalized: Tensor?
    private var inverseStd: [Double] = []
    private var usedBatchStatistics = false
    private var output: Tensor?
    private var gradInput: Tensor?

    public init(_ channels: Int, eps: Double = 1e-5, momentum: Double = 0.1) throws {
        guard channels >= 1, channels <= Window2d.maxSize else {
            throw TensorError("BatchNorm2d: channel count must be between 1 and \(Window2d.maxSize), got \(channels)")
        }
        guard eps > 0, eps.isFinite else { throw TensorError("BatchNorm2d: eps must be positive and finite, got \(NumberText.shortest(eps))") }
        guard momentum >= 0, momentum <= 1 else {
            throw TensorError("BatchNorm2d: momentum must be in [0, 1], got \(NumberText.shortest(momentum))")
        }
        self.channels = channels
        self.eps = eps
        self.momentum = momentum
        weight = try Tensor(zeros: [channels]); weight.fill(1)
        bias = try Tensor(zeros: [channels])
        gradWeight = try Tensor(zeros: [channels])
        gradBias = try Tensor(zeros: [channels])
        runningMean = try Tensor(zeros: [channels])
        runningVar = try Tensor(zeros: [channels]); runningVar.fill(1)
        super.init()
    }

    /// A layer with the given parameters and running statistics (a checkpoint being loaded).
    public convenience init(weight w: Tensor, bias b: Tensor, runningMean rm: Tensor, runningVar rv: Tensor,
                            eps: Double, momentum: Double) throws {
        try self.init(w.count, eps: eps, momentum: momentum)
        for (name, t) in [("weight", w), ("bias", b), ("running mean", rm), ("running var", rv)] where t.shape != [channels] {
            throw TensorError("BatchNorm2d: \(name) must have shape \(shapeText([channels])), got \(shapeText(t.shape))")
        }
        try convert(to: w.dtype)
        try weight.copy(from: w); try bias.copy(from: b)
        try runningMean.copy(from: rm); try runningVar.copy(from: rv)
    }

    public override var description: String {
        var s = "BatchNorm2d(\(channels)"
        if eps != 1e-5 { s += ", eps \(NumberText.shortest(eps))" }
        if momentum != 0.1 { s += ", momentum \(NumberText.shortest(momentum))" }
        if weight.dtype != .float64 { s += ", \(weight.dtype.rawValue)" }
        return s + ")"
    }

    public override var parameters: [Tensor] { [weight, bias] }
    public override var gradients: [Tensor] { [gradWeight, gradBias] }
    public override func forEachParameter(_ body: (Tensor) -> Void) { body(weight); body(bias) }
    public override func forEachGradient(_ body: (Tensor) -> Void) { body(gradWeight); body(gradBias) }

    public override func field(_ name: String) -> Tensor? {
        switch name {
        case "running_mean": return runningMean
        case "running_var": return runningVar
        default: return Module.weightAndBiasField(name, weight: weight, bias: bias, gradWeight: gradWeight, gradBias: gradBias)
        }
    }

    public override var runState: [Tensor] { [runningMean, runningVar] }

    public override func convert(to dtype: DType) throws {
        guard dtype != weight.dtype else { return }
        weight = try weight.converted(to: dtype); bias = try bias.converted(to: dtype)
        gradWeight = try gradWeight.converted(to: dtype); gradBias = try gradBias.converted(to: dtype)
        runningMean = try runningMean.converted(to: dtype); runningVar = try runningVar.converted(to: dtype)
        normalized = nil; output = nil; gradInput = nil; lastInput = nil
    }

    /// Per-channel mean and 1/sd the forward would use on xc: the batch's in training mode
    /// (updating the running statistics), else the running ones.
    func statistics(_ xc: Tensor, training: Bool) -> (mean: [Double], inverseStd: [Double]) {
        var mean: [Double], variance: [Double]
        if training {
            switch xc.dtype {
            case .float64: (mean, variance) = batchMoments(xc.pointer(Double.self), xc.shape)
            case .float32: (mean, variance) = batchMoments(xc.pointer(Float.self), xc.shape)
            }
        } else {
            mean = runningMean.toArray()
            variance = runningVar.toArray()
        }
        return (mean, variance.map { 1 / ($0 + eps).squareRoot() })
    }

    /// Per-channel mean and biased variance (two passes: no cancellation).
    private func batchMoments<T: TensorScalar>(_ x: UnsafePointer<T>, _ shape: [Int]) -> ([Double], [Double]) {
        let n = shape[0], area = shape[2] * shape[3], m = Double(n * area)
        var mean = [Double](repeating: 0, count: channels), variance = mean
        for c in 0..<channels {
            var s = 0.0
            for k in 0..<n { let p = x + (k * channels + c) * area; for i in 0..<area { s += p[i].double } }
            let mu = s / m
            var q = 0.0
            for k in 0..<n { let p = x + (k * channels + c) * area; for i in 0..<area { let d = p[i].double - mu; q += d * d } }
            mean[c] = mu
            variance[c] = q / m
        }
        return (mean, variance)
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        let xc = try Window2d.images(x, channels: channels, dtype: weight.dtype, layer: description)
        let (mean, inv) = statistics(xc, training: isTraining)
        if isTraining { try updateRunningStatistics(xc, mean: mean, inverseStd: inv) }
        let xh = try Buffers.reuse(&normalized, shape: xc.shape, dtype: weight.dtype)
        let y = try Buffers.reuse(&output, shape: xc.shape, dtype: weight.dtype)
        switch weight.dtype {
        case .float64: affine(xc.pointer(Double.self), xh.pointer(Double.self), y.pointer(Double.self), mean, inv, xc.shape)
        case .float32: affine(xc.pointer(Float.self), xh.pointer(Float.self), y.pointer(Float.self), mean, inv, xc.shape)
        }
        inverseStd = inv
        usedBatchStatistics = isTraining
        lastInput = x
        return y
    }

    private func updateRunningStatistics(_ xc: Tensor, mean: [Double], inverseStd inv: [Double]) throws {
        let m = Double(xc.shape[0] * xc.shape[2] * xc.shape[3])
        let rm = runningMean.toArray(), rv = runningVar.toArray()
        var newMean = rm, newVar = rv
        for c in 0..<channels {
            let biased = 1 / (inv[c] * inv[c]) - eps
            let unbiased = m > 1 ? biased * m / (m - 1) : biased
            newMean[c] = (1 - momentum) * rm[c] + momentum * mean[c]
            newVar[c] = (1 - momentum) * rv[c] + momentum * unbiased
        }
        try runningMean.copy(from: try Tensor(shape: [channels], values: newMean))
        try runningVar.copy(from: try Tensor(shape: [channels], values: newVar))
    }

    private func affine<T: TensorScalar>(_ x: UnsafePointer<T>, _ xh: UnsafeMutablePointer<T>, _ y: UnsafeMutablePointer<T>,
                                         _ mean: [Double], _ inv: [Double], _ shape: [Int]) {
        let n = shape[0], area = shape[2] * shape[3]
        let w = weight.pointer(T.self), b = bias.pointer(T.self)
        for s in 0..<n {
            for c in 0..<channels {
                let base = (s * channels + c) * area
                let gamma = w[c].double, beta = b[c].double
                for i in 0..<area {
                    let h = (x[base + i].double - mean[c]) * inv[c]
                    xh[base + i] = T(h)
                    y[base + i] = T(gamma * h + beta)
                }
            }
        }
    }

    public override func backward(_ x: Tensor, _ gradOutput: Tensor) throws -> Tensor {
        try ensureForward(x)
        let xh = normalized!
        let g = try Window2d.gradient(gradOutput, shape: xh.shape, dtype: weight.dtype, layer: description)
        let gx = try Buffers.reuse(&gradInput, shape: xh.shape, dtype: weight.dtype)
        switch weight.dtype {
        case .float64: backwardKernel(g.pointer(Double.self), xh.pointer(Double.self), gx.pointer(Double.self), xh.shape)
        case .float32: backwardKernel(g.pointer(Float.self), xh.pointer(Float.self), gx.pointer(Float.self), xh.shape)
        }
        return gx
    }

    /// dbias += Σ g, dweight += Σ g x̂; with batch statistics
    /// dx = weight / sd (g - mean(g) - x̂ mean(g x̂)), else dx = weight / sd g.
    private func backwardKernel<T: TensorScalar>(_ g: UnsafePointer<T>, _ xh: UnsafePointer<T>, _ gx: UnsafeMutablePointer<T>, _ shape: [Int]) {
        let n = shape[0], area = shape[2] * shape[3], m = Double(n * area)
        let w = weight.pointer(T.self), gw = gradWeight.pointer(T.self), gb = gradBias.pointer(T.self)
        for c in 0..<channels {
            var sg = 0.0, sgx = 0.0
            for s in 0..<n {
                let base = (s * channels + c) * area
                for i in 0..<area { sg += g[base + i].double; sgx += g[base + i].double * xh[base + i].double }
            }
            gb[c] += T(sg)
            gw[c] += T(sgx)
            let scale = w[c].double * inverseStd[c]
            let (mg, mgx) = usedBatchStatistics ? (sg / m, sgx / m) : (0, 0)
            for s in 0..<n {
                let base = (s * channels + c) * area
                for i in 0..<area { gx[base + i] = T(scale * (g[base + i].double - mg - xh[base + i].double * mgx)) }
            }
        }
    }
}

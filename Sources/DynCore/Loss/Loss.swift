/// What one fused evaluation of a loss measures on a batch.
public struct LossEvaluation: Equatable, Sendable {
    /// (1/N) sum_n loss_n, with all class weights 1.
    public var loss: Double
    /// (1/N) sum_n w[y_n] loss_n: the quantity that is differentiated.
    public var weightedLoss: Double
    /// Rows whose largest output (first one on ties) is at the label.
    public var correct: Int

    public init(loss: Double, weightedLoss: Double, correct: Int) {
        self.loss = loss
        self.weightedLoss = weightedLoss
        self.correct = correct
    }
}

/// A class-weighted criterion on an (N x C) output and N labels (0-based here):
/// L = (1/N) sum_n w[y_n] loss_n(output_n, y_n). The mean divides by N, not by the sum of the
/// weights. Weights default to all ones; `setWeights` is the hook dynamical losses use.
///
/// `evaluate` is the training loop's single call: from one output it returns the unweighted
/// and weighted losses and the number of correct predictions, and writes dL_weighted/d(output)
/// into a caller-provided buffer, allocating nothing.
open class Loss {
    /// The per-class weights; nil means all ones.
    public private(set) var weights: [Double]?

    public init(weights: [Double]? = nil) throws {
        try setWeights(weights)
    }

    /// "CrossEntropyLoss", used in messages.
    open var name: String { String(describing: type(of: self)) }

    open var description: String {
        guard let w = weights else { return name }
        return name + "(weights = {" + w.map { ClassLabels.format($0) }.joined(separator: ", ") + "})"
    }

    /// Sets (or with nil, resets to all ones) the class weights. They must be finite; their
    /// count is checked against the output's columns at evaluation.
    public func setWeights(_ w: [Double]?) throws {
        if let w {
            guard !w.isEmpty else { throw TensorError("\(name): weights must not be empty") }
            for (k, v) in w.enumerated() where !v.isFinite {
                throw TensorError("\(name): weight \(k + 1) is \(ClassLabels.format(v)) (weights must be finite)")
            }
        }
        weights = w
    }

    /// Sets the weights from a 1-D tensor (through `setWeights(_: UnsafeBufferPointer)`).
    public func setWeights(_ t: Tensor) throws {
        guard t.rank == 1 else { throw TensorError("\(name): weights must be 1-D, got shape \(shapeText(t.shape))") }
        try t.toArray().withUnsafeBufferPointer { try setWeights($0) }
    }

    /// Sets the weights from a buffer of values, reusing the current array when the count is
    /// unchanged (the training loop sets weights every step without allocating). A non-finite
    /// value leaves the weights as they were.
    public func setWeights(_ values: UnsafeBufferPointer<Double>) throws {
        for (k, v) in values.enumerated() where !v.isFinite {
            throw TensorError("\(name): weight \(k + 1) is \(ClassLabels.format(v)) (weights must be finite)")
        }
        guard var w = weights, w.count == values.count else { return try setWeights(Array(values)) }
        weights = nil  // keep the buffer uniquely referenced while writing into it
        w.withUnsafeMutableBufferPointer { for k in 0..<values.count { $0[k] = values[k] } }
        weights = w
    }

    /// The weights as a new float64 tensor, or nil when none were set (all ones).
    public func weightsTensor() throws -> Tensor? {
        try weights.map { try Tensor(shape: [$0.count], values: $0) }
    }

    /// Checks output (N x C, N, C >= 1) and the weight count; returns (N, C).
    public func checkOutput(_ output: Tensor) throws -> (rows: Int, classes: Int) {
        guard output.rank == 2 else {
            throw TensorError("\(name): expected a 2-D output (rows are samples, columns classes), got shape \(shapeText(output.shape))")
        }
        let n = output.shape[0], c = output.shape[1]
        guard n >= 1, c >= 1 else { throw TensorError("\(name): output of shape \(shapeText(output.shape)) is empty") }
        if let w = weights, w.count != c {
            throw TensorError("\(name): \(c) class\(c == 1 ? "" : "es"), \(w.count) weight\(w.count == 1 ? "" : "s")")
        }
        return (n, c)
    }

    /// The checks every `evaluate` starts with: output, labels and the gradient buffer (when
    /// given, a contiguous tensor of the output's shape and dtype); returns (N, C).
    public func checkArguments(_ output: Tensor, labels: [Int], gradient: Tensor?) throws -> (rows: Int, classes: Int) {
        let (n, c) = try checkOutput(output)
        try ClassLabels.check(labels, rows: n, classes: c, op: name)
        if let g = gradient {
            guard g.shape == output.shape, g.dtype == output.dtype, g.isContiguous else {
                throw TensorError("\(name): gradient buffer must be a contiguous \(output.dtype.rawValue) tensor of shape \(shapeText(output.shape)), got \(g.dtype.rawValue) \(shapeText(g.shape))")
            }
        }
        return (n, c)
    }

    /// Converts and checks 1-based labels (a script's) for this output.
    public func labels(fromOneBased values: [Double], for output: Tensor) throws -> [Int] {
        let (n, c) = try checkOutput(output)
        return try ClassLabels.fromOneBased(values, rows: n, classes: c, op: name)
    }

    /// The fused evaluation. `gradient`, when given, must be a contiguous tensor of the output's
    /// shape and dtype; it receives dL_weighted/d(output).
    open func evaluate(_ output: Tensor, labels: [Int], gradient: Tensor?) throws -> LossEvaluation {
        let (n, c) = try checkArguments(output, labels: labels, gradient: gradient)
        let x = output.isContiguous ? output : try output.contiguous()
        return labels.withUnsafeBufferPointer { y in
            let run = { (w: UnsafePointer<Double>?) -> LossEvaluation in
                switch x.dtype {
                case .float64: return self.kernel(x.pointer(Double.self), n, c, y.baseAddress!, w, gradient?.pointer(Double.self))
                case .float32: return self.kernel(x.pointer(Float.self), n, c, y.baseAddress!, w, gradient?.pointer(Float.self))
                }
            }
            if let w = weights { return w.withUnsafeBufferPointer { run($0.baseAddress!) } }
            return run(nil)
        }
    }

    /// The weighted loss (what `forward` returns in Lua).
    public func forward(_ output: Tensor, labels: [Int]) throws -> Double {
        try weightedLoss(output, labels: labels, gradient: nil)
    }

    /// The weighted loss alone, with its gradient written into `gradient` when given: what
    /// forward, backward and the autograd tape need (a loss whose unweighted value costs a
    /// second evaluation skips it here).
    open func weightedLoss(_ output: Tensor, labels: [Int], gradient: Tensor?) throws -> Double {
        try evaluate(output, labels: labels, gradient: gradient).weightedLoss
    }

    /// A new tensor holding dL_weighted/d(output).
    public func backward(_ output: Tensor, labels: [Int]) throws -> Tensor {
        let g = try Tensor(uninitialized: output.shape, dtype: output.dtype)
        _ = try weightedLoss(output, labels: labels, gradient: g)
        return g
    }

    /// The batch kernel subclasses provide, one per dtype: rows of length c, labels checked,
    /// weights nil for all ones, grad nil when not wanted.
    open func kernel(_ x: UnsafePointer<Double>, _ n: Int, _ c: Int, _ y: UnsafePointer<Int>,
                     _ w: UnsafePointer<Double>?, _ grad: UnsafeMutablePointer<Double>?) -> LossEvaluation {
        fatalError("\(name) does not implement kernel")
    }

    open func kernel(_ x: UnsafePointer<Float>, _ n: Int, _ c: Int, _ y: UnsafePointer<Int>,
                     _ w: UnsafePointer<Double>?, _ grad: UnsafeMutablePointer<Float>?) -> LossEvaluation {
        fatalError("\(name) does not implement kernel")
    }
}

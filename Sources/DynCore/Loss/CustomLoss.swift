/// A criterion whose value (and gradient) comes from a function the caller supplies: what
/// `nn.Loss` builds from a Lua function. It is an ordinary `Loss`, so the training loop, the
/// evaluation helpers and the landscape analysis call it through `evaluate` like a built-in.
///
/// `compute(output, labels, weights, gradient)` returns the weighted loss of the batch with the
/// given class weights (nil: all ones) and, when `gradient` is given, writes dL/d(output) into
/// it. The unweighted loss is a second call with all-ones weights and no gradient, made only
/// when the weights are not all ones; the correct count is the rows' argmax, as for built-ins.
public final class CustomLoss: Loss {
    public typealias Compute = (_ output: Tensor, _ labels: [Int], _ weights: [Double]?, _ gradient: Tensor?) throws -> Double

    private let label: String
    private let compute: Compute

    public init(name: String, compute: @escaping Compute) throws {
        self.label = name
        self.compute = compute
        try super.init(weights: nil)
    }

    public override var name: String { label }

    public override func evaluate(_ output: Tensor, labels: [Int], gradient: Tensor?) throws -> LossEvaluation {
        _ = try checkArguments(output, labels: labels, gradient: gradient)
        // Counted first: the function receives the output itself.
        let correct = CustomLoss.correctCount(output, labels)
        if weights?.allSatisfy({ $0 == 1 }) ?? true {
            let value = try compute(output, labels, weights, gradient)
            return LossEvaluation(loss: value, weightedLoss: value, correct: correct)
        }
        // The second call's log_softmax of the same output is the first's (SoftmaxMemo).
        let outer = SoftmaxMemo.active
        SoftmaxMemo.active = SoftmaxMemo()
        defer { SoftmaxMemo.active = outer }
        let weighted = try compute(output, labels, weights, gradient)
        let unweighted = try compute(output, labels, nil, nil)
        return LossEvaluation(loss: unweighted, weightedLoss: weighted, correct: correct)
    }

    public override func weightedLoss(_ output: Tensor, labels: [Int], gradient: Tensor?) throws -> Double {
        _ = try checkArguments(output, labels: labels, gradient: gradient)
        return try compute(output, labels, weights, gradient)
    }

    /// Rows whose largest output (the first one on ties) is at the label; allocates nothing.
    static func correctCount(_ output: Tensor, _ labels: [Int]) -> Int {
        let c = output.shape[1], rs = output.strides[0], cs = output.strides[1]
        func count<T: TensorScalar & Comparable>(_ p: UnsafeMutablePointer<T>) -> Int {
            var correct = 0
            for (r, y) in labels.enumerated() {
                let row = p + output.offset + r * rs
                var best = 0
                for j in 1..<max(c, 1) where row[j * cs] > row[best * cs] { best = j }
                if best == y { correct += 1 }
            }
            return correct
        }
        switch output.dtype {
        case .float64: return count(output.storage.pointer(Double.self))
        case .float32: return count(output.storage.pointer(Float.self))
        }
    }
}

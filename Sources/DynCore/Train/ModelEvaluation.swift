/// The metrics of a model as it is (no update, no gradient; in evaluation mode: Dropout off,
/// BatchNorm2d on its running statistics) on a labelled data set: what
/// `train.evaluate` returns and what `train.fit` records as `h.final` after its last update.
/// The rows go through the model in chunks of `chunkRows` (nil: all at once), so that a large
/// set needs no more memory than a training batch; one chunk gives the same bits as the
/// training loop's own forward pass on the same rows.
public struct ModelEvaluation: Equatable, Sendable {
    /// (1/N) sum_n loss_n, all class weights 1.
    public var loss: Double
    /// (1/N) sum_n w[y_n] loss_n with the loss's current weights.
    public var weightedLoss: Double
    /// Rows whose largest output (first on ties) is at the label, over N.
    public var accuracy: Double
    /// The same per class (NaN for a class with no rows).
    public var classAccuracy: [Double]

    public static func measure(model: Module, loss: Loss, x: Tensor, labels: [Int], classes: Int,
                               chunkRows: Int? = nil, op: String = "train.evaluate") throws -> ModelEvaluation {
        let n = x.shape[0]
        guard n > 0 else { throw TensorError("\(op): x has no rows") }
        try ClassLabels.check(labels, rows: n, classes: classes, op: op)
        let chunk = max(1, min(chunkRows ?? n, n))
        var lossSum = 0.0, weightedSum = 0.0, correct = 0
        var single: LossEvaluation? = nil
        var counts = ClassCounts(classes: classes)
        for start in stride(from: 0, to: n, by: chunk) {
            let rows = min(chunk, n - start)
            let part = rows == n ? x : try x.narrow(0, start: start, length: rows)
            let output = try model.inEvaluationMode { try model.forward(part) }
            let y = Array(labels[start..<(start + rows)])
            let e = try loss.evaluate(output, labels: y, gradient: nil)
            if rows == n { single = e }
            lossSum += e.loss * Double(rows); weightedSum += e.weightedLoss * Double(rows); correct += e.correct
            try counts.add(output, y)
        }
        // One chunk: the loss's own mean, not (mean * N) / N, which may differ in the last bit.
        return ModelEvaluation(loss: single?.loss ?? lossSum / Double(n),
                               weightedLoss: single?.weightedLoss ?? weightedSum / Double(n),
                               accuracy: Double(single?.correct ?? correct) / Double(n),
                               classAccuracy: counts.accuracy)
    }
}

/// Right and total predictions per class, from output rows' argmax (first on ties).
struct ClassCounts {
    var correct: [Int], total: [Int]

    init(classes: Int) {
        correct = [Int](repeating: 0, count: classes)
        total = [Int](repeating: 0, count: classes)
    }

    mutating func add(_ output: Tensor, _ labels: [Int]) throws {
        let out = try output.converted(to: .float64)
        let rows = out.isContiguous ? out : try out.clone()
        let p = rows.pointer(Double.self), c = rows.shape[1]
        for (r, y) in labels.enumerated() {
            var best = 0
            for j in 1..<max(c, 1) where p[r * c + j] > p[r * c + best] { best = j }
            total[y] += 1
            if best == y { correct[y] += 1 }
        }
    }

    var accuracy: [Double] {
        total.indices.map { total[$0] == 0 ? .nan : Double(correct[$0]) / Double(total[$0]) }
    }
}

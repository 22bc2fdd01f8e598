import CKernels

/// Cross-entropy on logits: loss_n = -log softmax(x_n)[y_n] = logsumexp(x_n) - x_n[y_n], with
/// the log-sum-exp shifted by the row maximum so that it never overflows.
/// Gradient of the weighted mean: (w[y_n] / N) * (softmax(x_n) - onehot(y_n)).
///
/// The rows run in CKernels (`dyn_cross_entropy`), the code the fused training step of a skinny
/// network (`FusedMLPStep`) runs too, so both give the same bits.
public final class CrossEntropyLoss: Loss {
    public override init(weights: [Double]? = nil) throws { try super.init(weights: weights) }

    public override func kernel(_ x: UnsafePointer<Double>, _ n: Int, _ c: Int, _ y: UnsafePointer<Int>,
                                _ w: UnsafePointer<Double>?, _ grad: UnsafeMutablePointer<Double>?) -> LossEvaluation {
        LossEvaluation(dyn_cross_entropy_f64(n, c, x, y, w, grad), rows: n)
    }

    public override func kernel(_ x: UnsafePointer<Float>, _ n: Int, _ c: Int, _ y: UnsafePointer<Int>,
                                _ w: UnsafePointer<Double>?, _ grad: UnsafeMutablePointer<Float>?) -> LossEvaluation {
        LossEvaluation(dyn_cross_entropy_f32(n, c, x, y, w, grad), rows: n)
    }
}

extension LossEvaluation {
    /// The means of a cross-entropy pass's sums over n rows.
    init(_ sums: dyn_ce_sums, rows n: Int) {
        let invN = 1 / Double(n)
        self.init(loss: sums.loss * invN, weightedLoss: sums.weighted * invN, correct: sums.correct)
    }
}

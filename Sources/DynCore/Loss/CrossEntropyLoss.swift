import Foundation

/// Cross-entropy on logits: loss_n = -log softmax(x_n)[y_n] = logsumexp(x_n) - x_n[y_n], with
/// the log-sum-exp shifted by the row maximum so that it never overflows.
/// Gradient of the weighted mean: (w[y_n] / N) * (softmax(x_n) - onehot(y_n)).
public final class CrossEntropyLoss: Loss {
    public override init(weights: [Double]? = nil) throws { try super.init(weights: weights) }

    public override func kernel(_ x: UnsafePointer<Double>, _ n: Int, _ c: Int, _ y: UnsafePointer<Int>,
                                _ w: UnsafePointer<Double>?, _ grad: UnsafeMutablePointer<Double>?) -> LossEvaluation {
        CrossEntropyLoss.rows(x, n, c, y, w, grad)
    }

    public override func kernel(_ x: UnsafePointer<Float>, _ n: Int, _ c: Int, _ y: UnsafePointer<Int>,
                                _ w: UnsafePointer<Double>?, _ grad: UnsafeMutablePointer<Float>?) -> LossEvaluation {
        CrossEntropyLoss.rows(x, n, c, y, w, grad)
    }

    /// Sums in float64 for both dtypes. The gradient buffer holds exp(x - max) between the two
    /// passes over a row, so exp is computed once per element.
    static func rows<T: TensorScalar>(_ x: UnsafePointer<T>, _ n: Int, _ c: Int, _ y: UnsafePointer<Int>,
                                      _ w: UnsafePointer<Double>?, _ grad: UnsafeMutablePointer<T>?) -> LossEvaluation {
        var loss = 0.0, weighted = 0.0, correct = 0
        let invN = 1 / Double(n)
        for r in 0..<n {
            let row = x + r * c
            var m = row[0], arg = 0
            for j in 1..<max(c, 1) where row[j] > m { m = row[j]; arg = j }
            let label = y[r]
            if arg == label { correct += 1 }
            let shift = m.isFinite ? m.double : 0
            var s = 0.0
            // exp(0) = 1 exactly: the row maximum's term needs no call.
            let top = m.isFinite ? arg : -1
            if let grad {
                let g = grad + r * c
                for j in 0..<c { let e = j == top ? 1 : Foundation.exp(row[j].double - shift); g[j] = T(e); s += e }
            } else {
                for j in 0..<c { s += j == top ? 1 : Foundation.exp(row[j].double - shift) }
            }
            let rowLoss = shift + Foundation.log(s) - row[label].double
            let wy = w?[label] ?? 1
            loss += rowLoss
            weighted += wy * rowLoss
            if let grad {
                let g = grad + r * c
                let scale = wy * invN / s
                for j in 0..<c { g[j] = T(g[j].double * scale) }
                g[label] -= T(wy * invN)
            }
        }
        return LossEvaluation(loss: loss * invN, weightedLoss: weighted * invN, correct: correct)
    }
}

/// Squared error against one-hot targets: loss_n = sum_c (x_nc - onehot(y_n)_c)^2 (summed over
/// classes, averaged over samples). Gradient of the weighted mean: (2 w[y_n] / N) (x_n - onehot).
public final class MSELoss: Loss {
    public override init(weights: [Double]? = nil) throws { try super.init(weights: weights) }

    public override func kernel(_ x: UnsafePointer<Double>, _ n: Int, _ c: Int, _ y: UnsafePointer<Int>,
                                _ w: UnsafePointer<Double>?, _ grad: UnsafeMutablePointer<Double>?) -> LossEvaluation {
        MSELoss.rows(x, n, c, y, w, grad)
    }

    public override func kernel(_ x: UnsafePointer<Float>, _ n: Int, _ c: Int, _ y: UnsafePointer<Int>,
                                _ w: UnsafePointer<Double>?, _ grad: UnsafeMutablePointer<Float>?) -> LossEvaluation {
        MSELoss.rows(x, n, c, y, w, grad)
    }

    static func rows<T: TensorScalar>(_ x: UnsafePointer<T>, _ n: Int, _ c: Int, _ y: UnsafePointer<Int>,
                                      _ w: UnsafePointer<Double>?, _ grad: UnsafeMutablePointer<T>?) -> LossEvaluation {
        var loss = 0.0, weighted = 0.0, correct = 0
        let invN = 1 / Double(n)
        for r in 0..<n {
            let row = x + r * c
            let label = y[r]
            var m = row[0], arg = 0
            for j in 1..<max(c, 1) where row[j] > m { m = row[j]; arg = j }
            if arg == label { correct += 1 }
            var rowLoss = 0.0
            for j in 0..<c {
                let d = row[j].double - (j == label ? 1 : 0)
                rowLoss += d * d
            }
            let wy = w?[label] ?? 1
            loss += rowLoss
            weighted += wy * rowLoss
            if let grad {
                let g = grad + r * c
                let scale = 2 * wy * invN
                for j in 0..<c { g[j] = T(scale * (row[j].double - (j == label ? 1 : 0))) }
            }
        }
        return LossEvaluation(loss: loss * invN, weightedLoss: weighted * invN, correct: correct)
    }
}

/// Hessian-vector products for models and losses without an exact R-operator (layers and
/// losses written in Lua): central differences of exact gradients along v, refined by one
/// Richardson extrapolation,
///     D(h) = (∇L(θ + h u) - ∇L(θ - h u)) / 2h,   H u ≈ (4 D(h/2) - D(h)) / 3,
/// with u = v/|v| (the result is scaled back by |v|) and h = step (1 + rms(θ)). The error is
/// O(h⁴ ∇⁵L) + O(ε |∇L| / h); step = 1e-3 balances them for float64 (measured in
/// HessianDifferenceTests and documented in docs/api/analysis.md). Each product costs four
/// gradients (forward and backward of the model and the loss's gradient).
///
/// The gradients come from the model's own forward/backward and `Loss.evaluate(gradient:)`
/// at shifted parameters; the parameters, gradients and running state are put back afterwards
/// (ModelStateScope), so the model is as it was except for its forward buffers. Where the
/// loss is not smooth (ReLU kinks, max-pool ties crossed by ±h) the differences are not the
/// Hessian: prefer the exact operator there.
final class DifferenceHessianVectorProduct {
    static let defaultStep = 1e-3

    let model: Module
    let loss: Loss
    let x: Tensor
    let labels: [Int]
    let step: Double
    private var gradientBuffer: Tensor?

    init(model: Module, loss: Loss, x: Tensor, labels: [Int], step: Double = DifferenceHessianVectorProduct.defaultStep) {
        self.model = model; self.loss = loss; self.x = x; self.labels = labels; self.step = step
    }

    /// ∇L at the parameters currently in the model (float64, flat).
    private func gradient() throws -> [Double] {
        model.zeroGrad()
        let out = try model.forward(x)
        if gradientBuffer == nil || gradientBuffer!.shape != out.shape || gradientBuffer!.dtype != out.dtype {
            gradientBuffer = try Tensor(uninitialized: out.shape, dtype: out.dtype)
        }
        _ = try loss.evaluate(out, labels: labels, gradient: gradientBuffer)
        _ = try model.backward(x, gradientBuffer!)
        return try model.flatGradients().toArray()
    }

    func apply(_ v: [Double], into out: inout [Double]) throws {
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 0, norm.isFinite else {
            for i in out.indices { out[i] = norm == 0 ? 0 : .nan }
            return
        }
        let theta = try model.flatParameters()
        let t = theta.toArray()
        let rms = (t.reduce(0) { $0 + $1 * $1 } / Double(max(t.count, 1))).squareRoot()
        let h = step * (1 + rms)
        let u = v.map { $0 / norm }
        try ModelStateScope.run(model) {
            defer { try? model.setFlatParameters(theta) }
            func difference(_ h: Double) throws -> [Double] {
                try model.setFlatParameters(try Tensor(shape: [t.count], values: zip(t, u).map { $0 + h * $1 }))
                let up = try gradient()
                try model.setFlatParameters(try Tensor(shape: [t.count], values: zip(t, u).map { $0 - h * $1 }))
                let down = try gradient()
                return zip(up, down).map { ($0 - $1) / (2 * h) }
            }
            let coarse = try difference(h), fine = try difference(h / 2)
            for i in out.indices { out[i] = norm * (4 * fine[i] - coarse[i]) / 3 }
        }
    }
}

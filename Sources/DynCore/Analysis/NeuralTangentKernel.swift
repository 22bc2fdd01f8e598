/// The empirical neural tangent kernel Θ = J Jᵀ, where J is the Jacobian of the model's outputs
/// with respect to its flat parameters: row (n-1)*C + c (1-based n, c) of J is the gradient of
/// output c of sample n. Θ is (N*C) x (N*C).
public enum NeuralTangentKernel {
    /// Per-sample Jacobian rows from one backward pass per (sample, output): generic over any
    /// module, and cheap for the small point sets the kernel is computed on. The model's
    /// accumulated gradients are left as they were.
    public static func jacobian(_ model: Module, _ x: Tensor) throws -> Tensor {
        guard x.rank == 2 else { throw TensorError("ntk: points must be a 2-D tensor (N x features), got shape \(shapeText(x.shape))") }
        let saved = try model.gradients.map { try $0.clone() }
        defer { for (g, s) in zip(model.gradients, saved) { try? g.copy(from: s) } }
        let n = x.shape[0]
        let p = model.numParameters
        var rows: [Double] = []
        var classes = 0
        for i in 0..<n {
            let xi = try x.narrow(0, start: i, length: 1)
            let out: Tensor
            do { out = try model.forward(xi) } catch {
                // The model's message would show one row's shape: show the points' own.
                var shown = error
                do { _ = try model.forward(x) } catch let whole { shown = whole }
                throw TensorError("ntk: points of shape \(shapeText(x.shape)) do not fit the model: \(shown)")
            }
            guard out.rank == 2, out.shape[0] == 1 else {
                throw TensorError("ntk: the model must map a 1 x features row to a 1 x C row, got shape \(shapeText(out.shape))")
            }
            classes = out.shape[1]
            if rows.isEmpty { rows.reserveCapacity(n * classes * p) }
            for c in 0..<classes {
                model.zeroGrad()
                let seed = try Tensor(zeros: [1, classes], dtype: out.dtype)
                seed.setValue(1, at: [0, c])
                _ = try model.backward(xi, seed)
                rows += try model.flatGradients().toArray()
            }
        }
        return try Tensor(shape: [n * classes, p], values: rows)
    }

    /// Θ = J Jᵀ: in closed form for Linear/activation chains, else from the Jacobian (BLAS).
    public static func kernel(_ model: Module, _ x: Tensor, allowFastPath: Bool = true) throws -> Tensor {
        guard x.rank == 2 else { throw TensorError("ntk: points must be a 2-D tensor (N x features), got shape \(shapeText(x.shape))") }
        if allowFastPath, let chain = LayerChain(model), chain.layers[0].linear.inputSize == x.shape[1] {
            return try ChainTangentKernel.kernel(chain, x)
        }
        let j = try jacobian(model, x)
        return try Tensor.matmul(j, j.t())
    }

    /// Eigenvalues of Θ, descending (LAPACK dsyevd).
    public static func eigenvalues(_ model: Module, _ x: Tensor) throws -> [Double] {
        try SymmetricEigen.eigenvalues(kernel(model, x))
    }
}

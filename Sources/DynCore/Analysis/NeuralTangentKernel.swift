/// The empirical neural tangent kernel Θ = J Jᵀ, where J is the Jacobian of the model's outputs
/// with respect to its flat parameters: row (n-1)*C + c (1-based n, c) of J is the gradient of
/// output c of sample n. Θ is (N*C) x (N*C). Points are rows or (N, C, H, W) images; Dropout
/// counts as the identity, and BatchNorm2d must be in evaluation mode (one sample at a time
/// is not the batch). The Jacobian is exact for any module with a backward, Lua-written ones
/// included.
public enum NeuralTangentKernel {
    /// Per-sample Jacobian rows from one backward pass per (sample, output): generic over any
    /// module, and cheap for the small point sets the kernel is computed on. The model's
    /// accumulated gradients are left as they were.
    public static func jacobian(_ model: Module, _ x: Tensor) throws -> Tensor {
        try checkPoints(model, x)
        return try ModelStateScope.run(model) { try jacobianRows(model, x) }
    }

    static func checkPoints(_ model: Module, _ x: Tensor) throws {
        guard x.rank >= 2 else {
            throw TensorError("ntk: points must have samples along their first dimension (N x features, or (N, C, H, W) images), got shape \(shapeText(x.shape))")
        }
        if let why = ModelStateScope.batchCoupling(model) { throw TensorError("ntk: \(why)") }
    }

    private static func jacobianRows(_ model: Module, _ x: Tensor) throws -> Tensor {
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
            if rows.isEmpty { rows.reserveCapacity(try Tensor.checkedCount([n * classes, p], .float64, "ntk")) }
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
        try checkPoints(model, x)
        if allowFastPath, x.rank == 2, let chain = LayerChain(model), chain.layers[0].linear.inputSize == x.shape[1] {
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

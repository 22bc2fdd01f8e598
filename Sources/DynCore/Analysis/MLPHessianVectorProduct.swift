/// Exact Hessian-vector products for the networks the paper studies, fast: a chain of Linear
/// layers, each optionally followed by an element-wise activation (ReLU, Tanh, Sigmoid,
/// Identity), under CrossEntropyLoss or MSELoss. Same R-operator mathematics as
/// `HessianVectorProduct`, organized for repeated products at fixed parameters (Lanczos):
///
/// - everything that does not depend on the direction v (activations z_l, h_l, f'(z_l),
///   f''(z_l), the softmax, the gradients g_l = ∂L/∂z_l, each Wᵀ) is computed once by `prepare()`;
/// - each product then runs one R-forward and one R-backward pass through preallocated
///   buffers, allocating nothing: products with a side <= 8 (the paper's 2 inputs and 3
///   classes) through the skinny kernels of CKernels, the others through BLAS.
///
/// Notation: h_0 = x, z_l = h_{l-1} W_l + b_l, h_l = f_l(z_l); V_l, v_l are the parts of v
/// belonging to W_l, b_l. R-forward: R z_l = R h_{l-1} W_l + h_{l-1} V_l + v_l,
/// R h_l = f'_l(z_l) R z_l. R-backward: (H v)_{W_l} = R h_{l-1}ᵀ g_l + h_{l-1}ᵀ R g_l,
/// (H v)_{b_l} = Σ_rows R g_l, R g_{l-1} = f'(z) ⊙ (R g_l W_lᵀ + g_l V_lᵀ) + f''(z) ⊙ R z ⊙ (g_l W_lᵀ).
final class MLPHessianVectorProduct {
    struct Layer {
        let linear: Linear
        let activation: ElementwiseActivation.Kind?
        let weightOffset: Int
        let biasOffset: Int?
        // Forward cache (independent of v).
        let input: Tensor          // h_{l-1}
        let z: Tensor
        let output: Tensor         // h_l
        let d1: Tensor             // f'(z)
        let d2: Tensor?            // f''(z), nil when zero (ReLU, identity)
        let gradOutput: Tensor     // ∂L/∂h_l
        let grad: Tensor           // g_l = ∂L/∂z_l
        // Buffers for one product.
        let rz: Tensor
        let rh: Tensor
        let rGradOutput: Tensor    // R{∂L/∂h_l}
        let rGrad: Tensor          // R{g_l}
        let vWeight: Tensor        // view of the direction
        let vBias: Tensor?
        let weightT: Tensor        // W^T and V^T (contiguous), for the skinny kernels
        let vWeightT: Tensor
        let hvWeight: Tensor       // view of the result
        let hvBias: Tensor?
    }

    let loss: Loss
    let x: Tensor
    let labels: [Int]
    let dimension: Int
    private let layers: [Layer]
    private let direction: Tensor
    private let result: Tensor
    private let probabilities: Tensor  // softmax of the output (cross-entropy)
    private var rowScale: [Double] = []  // w[y_n] / N, from the loss's current weights
    private let isCrossEntropy: Bool
    /// Partial products of the R-forward (N x out) and R-backward (N x in) passes; one each, so
    /// neither is reallocated between products.
    private var forwardScratch: Tensor?, backwardScratch: Tensor?

    /// nil when the model or loss is not of the supported shape (callers fall back to the
    /// general operator).
    init?(model: Module, loss: Loss, x: Tensor, labels: [Int]) throws {
        guard loss is CrossEntropyLoss || loss is MSELoss, x.rank == 2 else { return nil }
        guard let chain = LayerChain(model), chain.layers[0].linear.inputSize == x.shape[1] else { return nil }
        var offsets: [ObjectIdentifier: Int] = [:]
        var p = 0
        for t in model.parameters { offsets[ObjectIdentifier(t)] = p; p += t.count }
        dimension = p
        let direction = try Tensor(zeros: [p]), result = try Tensor(zeros: [p])
        self.direction = direction
        self.result = result
        let n = x.shape[0]
        self.loss = loss
        self.x = try x.converted(to: .float64).isContiguous ? try x.converted(to: .float64) : try x.converted(to: .float64).clone()
        self.labels = labels
        isCrossEntropy = loss is CrossEntropyLoss
        var input = self.x
        var layers: [Layer] = []
        for (linear, activation) in chain.layers {
            guard linear.inputSize == input.shape[1] else { return nil }
            let shape = [n, linear.outputSize]
            let wo = offsets[ObjectIdentifier(linear.weight)]!
            let bo = linear.bias.map { offsets[ObjectIdentifier($0)]! }
            let needsD2 = activation == .tanh || activation == .sigmoid
            let z = try Tensor(zeros: shape)
            let output = activation == nil ? z : try Tensor(zeros: shape)
            let layer = Layer(
                linear: linear, activation: activation, weightOffset: wo, biasOffset: bo,
                input: input, z: z, output: output, d1: try Tensor(zeros: shape), d2: needsD2 ? try Tensor(zeros: shape) : nil,
                gradOutput: try Tensor(zeros: shape), grad: try Tensor(zeros: shape),
                rz: try Tensor(zeros: shape), rh: try Tensor(zeros: shape), rGradOutput: try Tensor(zeros: shape), rGrad: try Tensor(zeros: shape),
                vWeight: try! direction.narrow(0, start: wo, length: linear.weight.count).view(linear.weight.shape),
                vBias: bo.map { try! direction.narrow(0, start: $0, length: linear.outputSize) },
                weightT: try Tensor(zeros: [linear.outputSize, linear.inputSize]),
                vWeightT: try Tensor(zeros: [linear.outputSize, linear.inputSize]),
                hvWeight: try! result.narrow(0, start: wo, length: linear.weight.count).view(linear.weight.shape),
                hvBias: bo.map { try! result.narrow(0, start: $0, length: linear.outputSize) })
            layers.append(layer)
            input = output
        }
        self.layers = layers
        let c = layers.last!.linear.outputSize
        guard labels.count == n, labels.allSatisfy({ $0 >= 0 && $0 < c }) else { return nil }
        if let w = loss.weights, w.count != c { return nil }
        probabilities = try Tensor(zeros: [n, c])
    }

    // MARK: the v-independent state

    /// Recomputes the forward pass and the gradients at the model's current parameters and
    /// the loss's current class weights.
    func prepare() throws {
        let n = x.shape[0], c = layers[layers.count - 1].linear.outputSize
        let w = loss.weights ?? [Double](repeating: 1, count: c)
        guard w.count == c else { throw TensorError("hvp: \(c) classes, \(w.count) weights") }
        rowScale = labels.map { w[$0] / Double(n) }
        for l in layers {
            try SkinnyKernels.transpose(l.linear.weight, ld: l.linear.outputSize, into: l.weightT)
            let y = l.z
            if let b = l.linear.bias { SkinnyKernels.fillRows(y, b) } else { y.zeroFill() }
            try Tensor.gemm(l.input, l.linear.weight, into: y, alpha: 1, beta: 1)
            let count = y.count
            let h = l.output.pointer(Double.self), d1 = l.d1.pointer(Double.self)
            if l.activation == nil {
                for i in 0..<count { d1[i] = 1 }  // output is z itself
            } else {
                LayerChain.activate(l.activation, y.pointer(Double.self), h, d1, count)
            }
            // f'' from f: tanh'' = -2 f f', sigmoid'' = f' (1 - 2 f).
            if let d2 = l.d2?.pointer(Double.self) {
                for i in 0..<count { d2[i] = l.activation == .tanh ? -2 * h[i] * d1[i] : d1[i] * (1 - 2 * h[i]) }
            }
        }
        // ∂L/∂(output), then down through the layers.
        let top = layers[layers.count - 1]
        let out = top.output.pointer(Double.self), go = top.gradOutput.pointer(Double.self), p = probabilities.pointer(Double.self)
        for r in 0..<n {
            let row = out + r * c, s = rowScale[r]
            if isCrossEntropy {
                var m = row[0]
                for j in 1..<max(c, 1) where row[j] > m { m = row[j] }
                var sum = 0.0
                for j in 0..<c { let e = Double.exp(row[j] - m); p[r * c + j] = e; sum += e }
                for j in 0..<c {
                    p[r * c + j] /= sum
                    go[r * c + j] = s * (p[r * c + j] - (j == labels[r] ? 1 : 0))
                }
            } else {
                for j in 0..<c { go[r * c + j] = 2 * s * (row[j] - (j == labels[r] ? 1 : 0)) }
            }
        }
        for k in stride(from: layers.count - 1, through: 0, by: -1) {
            let l = layers[k]
            multiply(l.gradOutput, l.d1, into: l.grad)
            if k > 0 { try Tensor.gemm(l.grad, try! l.linear.weight.t(), into: layers[k - 1].gradOutput, alpha: 1, beta: 0) }
        }
    }

    // MARK: one product

    func apply(_ v: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>) throws {
        let dp = direction.pointer(Double.self)
        for i in 0..<dimension { dp[i] = v[i] }
        result.zeroFill()
        // R-forward.
        for (k, l) in layers.enumerated() {
            try SkinnyKernels.transpose(l.vWeight, ld: l.linear.outputSize, into: l.vWeightT)
            try SkinnyKernels.multiply(l.input, l.vWeight, transposed: l.vWeightT, bias: l.vBias, into: l.rz,
                                   accumulate: false, scratch: &forwardScratch)
            if k > 0 {
                try SkinnyKernels.multiply(layers[k - 1].rh, l.linear.weight, transposed: l.weightT, bias: nil, into: l.rz,
                                       accumulate: true, scratch: &forwardScratch)
            }
            multiply(l.rz, l.d1, into: l.rh)
        }
        // R of the loss gradient with respect to the output.
        let top = layers[layers.count - 1]
        let n = x.shape[0], c = top.linear.outputSize
        let rh = top.rh.pointer(Double.self), rgo = top.rGradOutput.pointer(Double.self), p = probabilities.pointer(Double.self)
        for r in 0..<n {
            let s = rowScale[r]
            if isCrossEntropy {
                var dot = 0.0
                for j in 0..<c { dot += p[r * c + j] * rh[r * c + j] }
                for j in 0..<c { rgo[r * c + j] = s * p[r * c + j] * (rh[r * c + j] - dot) }
            } else {
                for j in 0..<c { rgo[r * c + j] = 2 * s * rh[r * c + j] }
            }
        }
        // R-backward.
        for k in stride(from: layers.count - 1, through: 0, by: -1) {
            let l = layers[k]
            // R g = f'(z) R(∂L/∂h) + f''(z) R z (∂L/∂h)
            multiply(l.rGradOutput, l.d1, into: l.rGrad)
            if let d2 = l.d2 {
                let rg = l.rGrad.pointer(Double.self), a = d2.pointer(Double.self), rz = l.rz.pointer(Double.self)
                let go = l.gradOutput.pointer(Double.self)
                for i in 0..<l.rGrad.count { rg[i] += a[i] * rz[i] * go[i] }
            }
            try addTransposedProduct(l.input, l.rGrad, into: l.hvWeight, bias: l.hvBias)
            if k > 0 {
                let below = layers[k - 1]
                try addTransposedProduct(below.rh, l.grad, into: l.hvWeight, bias: nil)
                try SkinnyKernels.multiply(l.rGrad, l.weightT, transposed: l.linear.weight, bias: nil, into: below.rGradOutput,
                                       accumulate: false, scratch: &backwardScratch)
                try SkinnyKernels.multiply(l.grad, l.vWeightT, transposed: l.vWeight, bias: nil, into: below.rGradOutput,
                                       accumulate: true, scratch: &backwardScratch)
            }
        }
        let rp = result.pointer(Double.self)
        for i in 0..<dimension { out[i] = rp[i] }
    }

    /// d += aᵀ g and db += the column sums of g (when given), for contiguous a (n x k), g (n x m).
    private func addTransposedProduct(_ a: Tensor, _ g: Tensor, into d: Tensor, bias db: Tensor?) throws {
        let n = a.shape[0], k = a.shape[1], m = g.shape[1]
        if SkinnyKernels.applies(inputs: k, outputs: m) {
            SkinnyKernels.addTransposedProduct(a, lda: k, g, ldg: m, into: d, bias: db, n: n, k: k, m: m)
            return
        }
        try Tensor.gemm(a, g, into: d, alpha: 1, beta: 1, transposeA: true)
        if let db { Linear.addColumnSums(g, Double.self, into: db.pointer(Double.self)) }
    }

    private func multiply(_ a: Tensor, _ b: Tensor, into c: Tensor) {
        let pa = a.pointer(Double.self), pb = b.pointer(Double.self), pc = c.pointer(Double.self)
        for i in 0..<c.count { pc[i] = pa[i] * pb[i] }
    }
}

/// The empirical NTK of a LayerChain without per-sample Jacobians. For layer l with input
/// rows h_n (the previous activations) and G^c_n = ∂f_c(x_n)/∂z_l, the weight block of J's
/// row (n, c) is h_n ⊗ G^c_n and the bias block G^c_n, so
///     Θ[(n,c),(m,c')] = Σ_l (h_n·h_m + 1) (G^c_n·G^c'_m),
/// two Gram matrices per layer: C backward passes over all points at once and a few gemms.
enum ChainTangentKernel {
    static func kernel(_ chain: LayerChain, _ x: Tensor) throws -> Tensor {
        let n = x.shape[0]
        let c = chain.layers.last!.linear.outputSize
        // Forward: inputs of each layer and f'(z).
        var inputs: [Tensor] = [try x.converted(to: .float64).isContiguous ? try x.converted(to: .float64) : try x.converted(to: .float64).clone()]
        var d1s: [Tensor] = []
        for (linear, activation) in chain.layers {
            let z = try Tensor(uninitialized: [n, linear.outputSize])
            if let b = linear.bias { try z.copy(from: b) } else { z.fill(0) }
            try Tensor.gemm(inputs.last!, linear.weight, into: z, alpha: 1, beta: 1)
            let h = try Tensor(uninitialized: z.shape), d1 = try Tensor(uninitialized: z.shape)
            LayerChain.activate(activation, z.pointer(Double.self), h.pointer(Double.self), d1.pointer(Double.self), z.count)
            inputs.append(h)
            d1s.append(d1)
        }
        let theta = try Tensor(zeros: [n * c, n * c])
        for l in 0..<chain.layers.count {
            let width = chain.layers[l].linear.outputSize
            // Rows (n, c) of G for this layer: one backward pass from each output c.
            let g = try Tensor(uninitialized: [n * c, width])
            for k in 0..<c {
                var grad = try Tensor(zeros: [n, c])
                let top = d1s[chain.layers.count - 1].pointer(Double.self), gp = grad.pointer(Double.self)
                for r in 0..<n { gp[r * c + k] = top[r * c + k] }
                var layer = chain.layers.count - 1
                while layer > l {
                    let below = try Tensor(uninitialized: [n, chain.layers[layer].linear.inputSize])
                    try Tensor.gemm(grad, try chain.layers[layer].linear.weight.t(), into: below, alpha: 1, beta: 0)
                    let bp = below.pointer(Double.self), d = d1s[layer - 1].pointer(Double.self)
                    for i in 0..<below.count { bp[i] *= d[i] }
                    grad = below
                    layer -= 1
                }
                // Row r*c + k of g is grad[r].
                let src = grad.pointer(Double.self), dst = g.pointer(Double.self)
                for r in 0..<n { (dst + (r * c + k) * width).update(from: src + r * width, count: width) }
            }
            let gg = try Tensor.matmul(g, try g.t())                  // (nc x nc)
            let hh = try Tensor.matmul(inputs[l], try inputs[l].t())  // (n x n)
            let bias: Double = chain.layers[l].linear.bias == nil ? 0 : 1
            let tp = theta.pointer(Double.self), gp = gg.pointer(Double.self), hp = hh.pointer(Double.self)
            for i in 0..<n * c {
                for j in 0..<n * c { tp[i * n * c + j] += (hp[(i / c) * n + j / c] + bias) * gp[i * n * c + j] }
            }
        }
        return theta
    }
}

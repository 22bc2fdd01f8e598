/// y = x W + b. R{y} = R{x} W + x V_W + v_b; (Hv)_W = R{x}ᵀ g + xᵀ R{g}, (Hv)_b = Σ_rows R{g};
/// g_in = g Wᵀ, R{g_in} = R{g} Wᵀ + g V_Wᵀ.
extension Linear: CurvatureLayer {
    func rForward(_ x: Tensor, _ rx: Tensor?, _ d: CurvatureDirection) throws -> (y: Tensor, ry: Tensor) {
        guard x.rank == 2, x.shape[1] == inputSize else {
            throw TensorError("hvp: \(description) expects an input of shape (N x \(inputSize)), got \(shapeText(x.shape))")
        }
        let vw = try d.direction(weight)
        let y = try Tensor(uninitialized: [x.shape[0], outputSize])
        let ry = try Tensor(uninitialized: y.shape)
        if let b = bias {
            try y.copy(from: b)
            try ry.copy(from: try d.direction(b))
        } else {
            y.fill(0); ry.fill(0)
        }
        try Tensor.gemm(x, weight, into: y, alpha: 1, beta: 1)
        try Tensor.gemm(x, vw, into: ry, alpha: 1, beta: 1)
        if let rx { try Tensor.gemm(rx, weight, into: ry, alpha: 1, beta: 1) }
        return (y, ry)
    }

    func rBackward(_ s: CurvatureSaved, _ g: Tensor, _ rg: Tensor, _ d: CurvatureDirection) throws -> (g: Tensor, rg: Tensor) {
        let hw = try d.result(weight)
        try Tensor.gemm(try s.x.t(), rg, into: hw, alpha: 1, beta: 1)
        if let rx = s.rx { try Tensor.gemm(try rx.t(), g, into: hw, alpha: 1, beta: 1) }
        if let b = bias { try d.result(b).addScaled(try rg.reduce(.sum, dim: 0).values, alpha: 1) }
        let gin = try Tensor(uninitialized: s.x.shape), rgin = try Tensor(uninitialized: s.x.shape)
        try Tensor.gemm(g, try weight.t(), into: gin, alpha: 1, beta: 0)
        try Tensor.gemm(rg, try weight.t(), into: rgin, alpha: 1, beta: 0)
        try Tensor.gemm(g, try d.direction(weight).t(), into: rgin, alpha: 1, beta: 1)
        return (gin, rgin)
    }
}

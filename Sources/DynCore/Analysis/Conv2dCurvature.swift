/// Convolution is bilinear in (x, W), so its R-operator is made of convolutions, run by
/// temporary Conv2d layers over the same kernels (the model's own layer is not touched):
///     R{y} = conv_W(R{x}) + conv_V(x) + v_b
///     (Hv)_W = corr(x, R{g}) + corr(R{x}, g),  (Hv)_b = Σ_{n,h,w} R{g}
///     g_in = conv_Wᵀ(g),  R{g_in} = conv_Wᵀ(R{g}) + conv_Vᵀ(g)
/// where corr(a, b) is the weight gradient backward accumulates and conv_Wᵀ the input gradient.
extension Conv2d: CurvatureLayer {
    /// A layer with this one's geometry and the given weight (and bias).
    private func twin(_ w: Tensor, _ b: Tensor?) throws -> Conv2d {
        try Conv2d(weight: w, bias: b, stride: (window.sh, window.sw), padding: (window.ph, window.pw))
    }

    func rForward(_ x: Tensor, _ rx: Tensor?, _ d: CurvatureDirection) throws -> (y: Tensor, ry: Tensor) {
        let y = try twin(weight, bias).forward(x).clone()
        let ry = try twin(try d.direction(weight), try bias.map { try d.direction($0) }).forward(x).clone()
        if let rx { try ry.addScaled(try twin(weight, nil).forward(rx), alpha: 1) }
        return (y, ry)
    }

    func rBackward(_ s: CurvatureSaved, _ g: Tensor, _ rg: Tensor, _ d: CurvatureDirection) throws -> (g: Tensor, rg: Tensor) {
        let w = try twin(weight, nil)
        let rgin = try w.backward(s.x, rg).clone()                 // gradWeight = corr(x, R{g})
        if let rx = s.rx { _ = try w.backward(rx, g) }              // += corr(R{x}, g)
        try d.result(weight).addScaled(w.gradWeight, alpha: 1)
        if let b = bias { try d.result(b).addScaled(try Tensor(shape: [outChannels], values: ChannelSums.sums(ChannelSums.dense(rg))), alpha: 1) }
        let gin = try twin(weight, nil).backward(s.x, g).clone()
        try rgin.addScaled(try twin(try d.direction(weight), nil).backward(s.x, g), alpha: 1)
        return (gin, rgin)
    }
}

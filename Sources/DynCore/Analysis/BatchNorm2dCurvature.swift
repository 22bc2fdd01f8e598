/// Batch normalization per channel, sums Σ and means E over (n, h, w), x̂ = (x - μ) / s.
///
/// Evaluation mode (running μ, s = sqrt(var + eps) constants): an affine map,
///     R{y} = γ R{x} / s + v_γ x̂ + v_β,  g_in = γ g / s,  R{g_in} = (γ R{g} + v_γ g) / s,
///     (Hv)_γ = Σ (R{g} x̂ + g R{x} / s),  (Hv)_β = Σ R{g}.
/// Training mode (batch μ = E x, s² = E (x - μ)² + eps: every sample's output depends on the
/// whole batch), with R{μ} = E R{x} and R{s} = E(x̂ R{x}):
///     R{x̂} = (R{x} - R{μ} - x̂ R{s}) / s,  R{y} = v_γ x̂ + γ R{x̂} + v_β,
///     a = γ g,  g_in = (a - E a - x̂ E(a x̂)) / s,
///     R{a} = v_γ g + γ R{g},
///     R{g_in} = -R{s}/s g_in + (R{a} - E R{a} - R{x̂} E(a x̂) - x̂ E(R{a} x̂ + a R{x̂})) / s,
///     (Hv)_γ = Σ (R{g} x̂ + g R{x̂}),  (Hv)_β = Σ R{g}.
/// The running statistics are not updated.
extension BatchNorm2d: CurvatureLayer {
    /// Per-channel μ, 1/s, x̂ and R{x̂} (R{x} nil: zero) in the layer's current mode.
    private func normalize(_ x: Tensor, _ rx: Tensor?) throws -> (inv: [Double], xh: Tensor, rxh: Tensor, rs: [Double]) {
        guard x.rank == 4, x.shape[1] == channels else {
            throw TensorError("hvp: \(description) expects an input of shape (N, \(channels), H, W), got \(shapeText(x.shape))")
        }
        let xc = try ChannelSums.dense(x)
        let (mean, inv) = statistics(xc, training: isTraining)
        let px = xc.pointer(Double.self)
        let xh = try ChannelSums.map(xc.shape) { c, i in (px[i] - mean[c]) * inv[c] }
        guard let rx else { return (inv, xh, try Tensor(zeros: xc.shape), [Double](repeating: 0, count: channels)) }
        let r = try ChannelSums.dense(rx), pr = r.pointer(Double.self), ph = xh.pointer(Double.self)
        guard isTraining else { return (inv, xh, try ChannelSums.map(xc.shape) { c, i in pr[i] * inv[c] }, [Double](repeating: 0, count: channels)) }
        let m = Double(xc.count / channels)
        let rmean = ChannelSums.sums(r).map { $0 / m }
        let rs = ChannelSums.sums(xh, r).map { $0 / m }
        let rxh = try ChannelSums.map(xc.shape) { c, i in (pr[i] - rmean[c] - ph[i] * rs[c]) * inv[c] }
        return (inv, xh, rxh, rs)
    }

    func rForward(_ x: Tensor, _ rx: Tensor?, _ d: CurvatureDirection) throws -> (y: Tensor, ry: Tensor) {
        let (_, xh, rxh, _) = try normalize(x, rx)
        let gamma = weight.toArray(), beta = bias.toArray()
        let vg = try d.direction(weight).toArray(), vb = try d.direction(bias).toArray()
        let ph = xh.pointer(Double.self), pr = rxh.pointer(Double.self)
        let y = try ChannelSums.map(xh.shape) { c, i in gamma[c] * ph[i] + beta[c] }
        let ry = try ChannelSums.map(xh.shape) { c, i in vg[c] * ph[i] + gamma[c] * pr[i] + vb[c] }
        return (y, ry)
    }

    func rBackward(_ s: CurvatureSaved, _ g: Tensor, _ rg: Tensor, _ d: CurvatureDirection) throws -> (g: Tensor, rg: Tensor) {
        let (inv, xh, rxh, rs) = try normalize(s.x, s.rx)
        let gd = try ChannelSums.dense(g), rgd = try ChannelSums.dense(rg)
        let gamma = weight.toArray(), vg = try d.direction(weight).toArray()
        try d.result(weight).addScaled(try Tensor(shape: [channels], values: zip(ChannelSums.sums(rgd, xh), ChannelSums.sums(gd, rxh)).map { $0 + $1 }), alpha: 1)
        try d.result(bias).addScaled(try Tensor(shape: [channels], values: ChannelSums.sums(rgd)), alpha: 1)
        let pg = gd.pointer(Double.self), prg = rgd.pointer(Double.self), ph = xh.pointer(Double.self), prh = rxh.pointer(Double.self)
        guard isTraining else {
            let gin = try ChannelSums.map(xh.shape) { c, i in gamma[c] * pg[i] * inv[c] }
            let rgin = try ChannelSums.map(xh.shape) { c, i in (gamma[c] * prg[i] + vg[c] * pg[i]) * inv[c] }
            return (gin, rgin)
        }
        let m = Double(xh.count / channels)
        let a = try ChannelSums.map(xh.shape) { c, i in gamma[c] * pg[i] }
        let ra = try ChannelSums.map(xh.shape) { c, i in vg[c] * pg[i] + gamma[c] * prg[i] }
        let pa = a.pointer(Double.self), pra = ra.pointer(Double.self)
        let ea = ChannelSums.sums(a).map { $0 / m }, eax = ChannelSums.sums(a, xh).map { $0 / m }
        let era = ChannelSums.sums(ra).map { $0 / m }
        let cross = zip(ChannelSums.sums(ra, xh), ChannelSums.sums(a, rxh)).map { ($0 + $1) / m }
        let gin = try ChannelSums.map(xh.shape) { c, i in (pa[i] - ea[c] - ph[i] * eax[c]) * inv[c] }
        let pgin = gin.pointer(Double.self)
        let rgin = try ChannelSums.map(xh.shape) { c, i in
            -rs[c] * inv[c] * pgin[i] + (pra[i] - era[c] - prh[i] * eax[c] - ph[i] * cross[c]) * inv[c]
        }
        return (gin, rgin)
    }
}

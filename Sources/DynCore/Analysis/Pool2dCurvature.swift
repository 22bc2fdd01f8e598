/// Average pooling is linear: R{y} = pool(R{x}), R{g_in} = poolᵀ(R{g}). Max pooling is linear
/// in what it routes: R{y} takes R{x} at each window's argmax of x (the forward's choice, same
/// tie rule), and g and R{g} are routed back to those positions (Pool2d's backward on x).
/// The model's layer is not touched: a twin with the same window runs.
extension Pool2d: CurvatureLayer {
    private func twin() throws -> Pool2d { try Pool2d(kind, kernel: window.kh, stride: window.sh) }

    func rForward(_ x: Tensor, _ rx: Tensor?, _ d: CurvatureDirection) throws -> (y: Tensor, ry: Tensor) {
        let y = try twin().forward(x).clone()
        guard let rx else { return (y, try Tensor(zeros: y.shape)) }
        switch kind {
        case .average: return (y, try twin().forward(rx).clone())
        case .max: return (y, try gatherAtArgmax(try ChannelSums.dense(x), try ChannelSums.dense(rx), y.shape))
        }
    }

    func rBackward(_ s: CurvatureSaved, _ g: Tensor, _ rg: Tensor, _ d: CurvatureDirection) throws -> (g: Tensor, rg: Tensor) {
        (try twin().backward(s.x, g).clone(), try twin().backward(s.x, rg).clone())
    }

    /// out[plane, oy, ox] = r[plane, argmax of x's window]; the first maximum wins, and a NaN
    /// beats any number, as in the C kernel.
    private func gatherAtArgmax(_ x: Tensor, _ r: Tensor, _ shape: [Int]) throws -> Tensor {
        let h = x.shape[2], w = x.shape[3], oh = shape[2], ow = shape[3]
        let planes = shape[0] * shape[1]
        let out = try Tensor(uninitialized: shape)
        let px = x.pointer(Double.self), pr = r.pointer(Double.self), po = out.pointer(Double.self)
        for c in 0..<planes {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    var best = (c * h + oy * window.sh) * w + ox * window.sw
                    for i in 0..<window.kh {
                        for j in 0..<window.kw {
                            let at = (c * h + oy * window.sh + i) * w + ox * window.sw + j
                            let v = px[at], b = px[best]
                            if v > b || (v.isNaN && !b.isNaN) { best = at }
                        }
                    }
                    po[(c * oh + oy) * ow + ox] = pr[best]
                }
            }
        }
        return out
    }
}

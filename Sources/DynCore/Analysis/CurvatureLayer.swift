/// One layer's part of the exact R-operator (Pearlmutter; see HessianVectorProduct): each
/// layer kind conforms in its own file (LinearCurvature.swift, Conv2dCurvature.swift, ...), so
/// adding a layer to the analysis is one small file. All tensors are float64.
protocol CurvatureLayer: Module {
    /// (y, R{y}) from the input x and R{x} (nil: zero, the model's input). Must not change the
    /// module (its buffers, gradients or statistics): use copies or plain tensor operations.
    func rForward(_ x: Tensor, _ rx: Tensor?, _ d: CurvatureDirection) throws -> (y: Tensor, ry: Tensor)

    /// (g_in, R{g_in}) from g = ∂L/∂y and R{g}, adding R{∂L/∂θ} of the layer's parameters into
    /// `d.result(p)`. `s` is what rForward saw and returned.
    func rBackward(_ s: CurvatureSaved, _ g: Tensor, _ rg: Tensor, _ d: CurvatureDirection) throws -> (g: Tensor, rg: Tensor)

    /// Why the exact operator cannot run on this layer as it is now, or nil.
    var curvatureRefusal: String? { get }
}

extension CurvatureLayer {
    var curvatureRefusal: String? { nil }
}

/// What one layer's R-forward saw and produced.
struct CurvatureSaved {
    let x: Tensor, rx: Tensor?, y: Tensor, ry: Tensor
}

/// The direction v of one product and the product's result, both flat over the model's
/// parameters, with each parameter's view.
struct CurvatureDirection {
    let v: Tensor
    let result: Tensor
    let offsets: [ObjectIdentifier: Int]

    /// The part of v that belongs to parameter p, shaped like p.
    func direction(_ p: Tensor) throws -> Tensor { try part(v, p) }

    /// The part of the result (H v) that belongs to parameter p: add into it.
    func result(_ p: Tensor) throws -> Tensor { try part(result, p) }

    private func part(_ flat: Tensor, _ p: Tensor) throws -> Tensor {
        guard let start = offsets[ObjectIdentifier(p)] else { throw TensorError("hvp: internal error: unknown parameter") }
        return try flat.narrow(0, start: start, length: p.count).view(p.shape)
    }
}

/// Per-channel helpers on contiguous float64 (N, C, H, W) tensors.
enum ChannelSums {
    /// Σ over (n, h, w) of a[n, c, h, w] (times b[n, c, h, w] when given), for each c.
    static func sums(_ a: Tensor, _ b: Tensor? = nil) -> [Double] {
        let n = a.shape[0], c = a.shape[1], area = a.count / max(n * c, 1)
        let pa = a.pointer(Double.self), pb = b?.pointer(Double.self)
        var out = [Double](repeating: 0, count: c)
        for k in 0..<n {
            for ch in 0..<c {
                let base = (k * c + ch) * area
                var s = 0.0
                if let pb { for i in 0..<area { s += pa[base + i] * pb[base + i] } } else { for i in 0..<area { s += pa[base + i] } }
                out[ch] += s
            }
        }
        return out
    }

    /// A new tensor of a's shape: out[n, c, ...] = f(c, i) where i indexes a's elements.
    static func map(_ shape: [Int], _ f: (_ channel: Int, _ index: Int) -> Double) throws -> Tensor {
        let out = try Tensor(uninitialized: shape)
        let n = shape[0], c = shape[1], area = out.count / max(n * c, 1)
        let p = out.pointer(Double.self)
        for k in 0..<n { for ch in 0..<c { for i in 0..<area { let at = (k * c + ch) * area + i; p[at] = f(ch, at) } } }
        return out
    }

    /// x as a contiguous float64 tensor.
    static func dense(_ x: Tensor) throws -> Tensor {
        let t = try x.converted(to: .float64)
        return t.isContiguous ? t : try t.clone()
    }
}

import Foundation

/// Hessian-vector products of a (class-weighted) loss with respect to a model's flat
/// parameters.
///
/// Exact, by Pearlmutter's R-operator (forward-over-reverse): a forward pass carrying
/// R{a} = d a(θ + εv)/dε at ε = 0 for every activation a, then a backward pass carrying
/// R{g} for every gradient g. R{∂L/∂θ} = H v, exactly, at the cost of about two gradients.
/// Each layer kind supplies its part (CurvatureLayer, one file per kind: Linear, Conv2d,
/// pooling, BatchNorm2d, activations, softmax, shape layers); the loss's part is below
/// (CrossEntropyLoss and MSELoss with their current class weights). Works in float64 on its
/// own buffers: the model's outputs, buffers and gradients are not touched, so it can run in
/// the middle of training. Dropout counts as the identity (evaluation-mode network).
///
/// By differences (DifferenceHessianVectorProduct) when some layer or the loss has no exact
/// part (Lua-written ones), or when asked for: accurate to about 1e-11 relative on smooth
/// losses (docs/api/analysis.md).
public final class HessianVectorProduct {
    public enum Method: String, Sendable {
        /// Exact when every part supports it, else differences.
        case auto
        case exact
        case differences
    }

    public let model: Module
    public let loss: Loss
    public let x: Tensor
    public let labels: [Int]
    public let dimension: Int
    /// Offset of each parameter tensor in the flat vector, by identity.
    private var offsets: [ObjectIdentifier: Int] = [:]
    /// The fast operator for plain MLPs (Linear + element-wise activations), when it applies.
    private let fast: MLPHessianVectorProduct?
    private var prepared = false
    /// What the forward pass saved for each module: input, R{input}, output, R{output}.
    private var saved: [ObjectIdentifier: CurvatureSaved] = [:]

    /// The operator by differences, when that is the method in use.
    private let differences: DifferenceHessianVectorProduct?

    /// `allowFastPath: false` forces the general operator (tests compare the two).
    public init(model: Module, loss: Loss, x: Tensor, labels: [Int], allowFastPath: Bool = true,
                method: Method = .auto) throws {
        guard x.rank >= 2 else {
            throw TensorError("hvp: x must have samples along its first dimension (2-D rows or (N, C, H, W) images), got shape \(shapeText(x.shape))")
        }
        guard model.parameters.allSatisfy({ $0.dtype == .float64 }) else {
            throw TensorError("hvp: the model must be float64 (convert it with m:to(\"float64\"))")
        }
        self.model = model
        self.loss = loss
        self.x = try x.converted(to: .float64)
        self.labels = labels
        var offset = 0
        for p in model.parameters {
            offsets[ObjectIdentifier(p)] = offset
            offset += p.count
        }
        dimension = offset
        let refusal = HessianVectorProduct.exactRefusal(model, loss)
        switch (method, refusal) {
        case (.exact, let why?): throw TensorError("hvp: no exact Hessian-vector product: \(why)")
        case (.differences, _), (.auto, _?):
            differences = DifferenceHessianVectorProduct(model: model, loss: loss, x: self.x, labels: labels)
            fast = nil
        default:
            differences = nil
            fast = allowFastPath ? try MLPHessianVectorProduct(model: model, loss: loss, x: x, labels: labels) : nil
        }
    }

    /// "exact" or "differences": how products are computed.
    public var method: Method { differences == nil ? .exact : .differences }

    /// Takes the model's current parameters and the loss's current weights: call it before a
    /// series of products after either may have changed (the fast operator caches the forward
    /// pass). `apply` prepares once by itself.
    public func prepare() throws {
        try fast?.prepare()
        prepared = true
    }

    /// Whether products use the fast MLP operator.
    public var usesFastPath: Bool { fast != nil }

    /// Polled before every product (Lanczos runs and the full Hessian are loops of them): true
    /// stops the computation with an "interrupted" error (Ctrl-C, from the binding).
    public var interrupted: (() -> Bool)?

    /// Why the exact operator cannot run on (model, loss), or nil when it can.
    static func exactRefusal(_ model: Module, _ loss: Loss) -> String? {
        func refusal(_ m: Module) -> String? {
            if m is Sequential { return m.children.lazy.compactMap(refusal).first }
            guard let layer = m as? CurvatureLayer else { return "module \(m.description) has no exact R-operator" }
            return layer.curvatureRefusal
        }
        if let why = refusal(model) { return why }
        guard loss is CrossEntropyLoss || loss is MSELoss else { return "loss \(loss.name) has no exact R-operator" }
        return nil
    }

    /// out = H v.
    public func apply(_ v: [Double], into out: inout [Double]) throws {
        guard v.count == dimension else {
            throw TensorError("hvp: direction has \(v.count) values, the model has \(dimension) parameters")
        }
        if interrupted?() == true { throw TensorError("interrupted") }
        if let differences { return try differences.apply(v, into: &out) }
        if let fast {
            if !prepared { try prepare() }
            try v.withUnsafeBufferPointer { vb in try out.withUnsafeMutableBufferPointer { try fast.apply(vb, into: $0) } }
            return
        }
        let direction = try Tensor(shape: [dimension], values: v)
        let hv = try Tensor(zeros: [dimension])
        saved.removeAll(keepingCapacity: true)
        let d = CurvatureDirection(v: direction, result: hv, offsets: offsets)
        let (z, rz) = try rForward(model, x, nil, d)
        let (g, rg) = try lossGradients(z, rz)
        _ = try rBackward(model, g, rg, d)
        let p = hv.pointer(Double.self)
        for i in 0..<dimension { out[i] = p[i] }
    }

    public func apply(_ v: [Double]) throws -> [Double] {
        var out = [Double](repeating: 0, count: dimension)
        try apply(v, into: &out)
        return out
    }

    // MARK: forward and backward with R, layer by layer

    private func rForward(_ m: Module, _ x: Tensor, _ rx: Tensor?, _ d: CurvatureDirection) throws -> (Tensor, Tensor) {
        if let s = m as? Sequential {
            var h = x, rh = rx
            for c in s.children { (h, rh) = try rForward(c, h, rh, d) }
            return (h, try rh ?? Tensor(zeros: h.shape))
        }
        guard let layer = m as? CurvatureLayer else { throw TensorError("hvp: module \(m.description) has no exact R-operator") }
        let (y, ry) = try layer.rForward(x, rx, d)
        saved[ObjectIdentifier(m)] = CurvatureSaved(x: x, rx: rx, y: y, ry: ry)
        return (y, ry)
    }

    /// Returns (g_in, R{g_in}) and adds R{∂L/∂θ} of m's parameters into d.result.
    private func rBackward(_ m: Module, _ g: Tensor, _ rg: Tensor, _ d: CurvatureDirection) throws -> (Tensor, Tensor) {
        if let s = m as? Sequential {
            var gg = g, rgg = rg
            for c in s.children.reversed() { (gg, rgg) = try rBackward(c, gg, rgg, d) }
            return (gg, rgg)
        }
        guard let layer = m as? CurvatureLayer, let st = saved[ObjectIdentifier(m)] else {
            throw TensorError("hvp: internal error: no forward state")
        }
        return try layer.rBackward(st, g, rg, d)
    }

    // MARK: the loss's gradient and its R

    private func lossGradients(_ z: Tensor, _ rz: Tensor) throws -> (Tensor, Tensor) {
        guard z.rank == 2 else { throw TensorError("hvp: the model's output must be 2-D (N x C), got shape \(shapeText(z.shape))") }
        let n = z.shape[0], c = z.shape[1]
        guard labels.count == n else { throw TensorError("hvp: \(labels.count) labels for \(n) rows") }
        let weights = loss.weights ?? [Double](repeating: 1, count: c)
        guard weights.count == c else { throw TensorError("hvp: \(c) classes, \(weights.count) weights") }
        let g = try Tensor(zeros: z.shape), rg = try Tensor(zeros: z.shape)
        switch loss {
        case is CrossEntropyLoss:
            // g = (w_y/N)(p - onehot), R{g} = (w_y/N) p ⊙ (R{z} - <p, R{z}>).
            let p = try z.softmax(dim: 1)
            for r in 0..<n {
                let s = weights[labels[r]] / Double(n)
                var prz = 0.0
                for j in 0..<c { prz += p.value(at: [r, j]) * rz.value(at: [r, j]) }
                for j in 0..<c {
                    let pj = p.value(at: [r, j])
                    g.setValue(s * (pj - (j == labels[r] ? 1 : 0)), at: [r, j])
                    rg.setValue(s * pj * (rz.value(at: [r, j]) - prz), at: [r, j])
                }
            }
        case is MSELoss:
            // g = (2 w_y/N)(z - onehot), R{g} = (2 w_y/N) R{z}.
            for r in 0..<n {
                let s = 2 * weights[labels[r]] / Double(n)
                for j in 0..<c {
                    g.setValue(s * (z.value(at: [r, j]) - (j == labels[r] ? 1 : 0)), at: [r, j])
                    rg.setValue(s * rz.value(at: [r, j]), at: [r, j])
                }
            }
        default:
            throw TensorError("hvp: loss \(loss.name) has no Hessian-vector product")
        }
        return (g, rg)
    }
}

import Foundation

/// Exact Hessian-vector products of a (class-weighted) loss with respect to a model's flat
/// parameters, by Pearlmutter's R-operator (forward-over-reverse): a forward pass carrying
/// R{a} = d a(θ + εv)/dε at ε = 0 for every activation a, then a backward pass carrying
/// R{g} for every gradient g. R{∂L/∂θ} = H v, exactly, at the cost of about two gradients.
///
/// Works in float64 on its own buffers: the model's outputs, buffers and gradients are not
/// touched, so it can run in the middle of training. Supported: Linear, ReLU, Tanh, Sigmoid,
/// Identity, Softmax, LogSoftmax, Sequential; CrossEntropyLoss and MSELoss with their current
/// class weights.
public final class HessianVectorProduct {
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
    private var saved: [ObjectIdentifier: (x: Tensor, rx: Tensor?, y: Tensor, ry: Tensor)] = [:]

    /// `allowFastPath: false` forces the general operator (tests compare the two).
    public init(model: Module, loss: Loss, x: Tensor, labels: [Int], allowFastPath: Bool = true) throws {
        guard x.rank == 2 else { throw TensorError("hvp: x must be a 2-D tensor (rows are samples), got shape \(shapeText(x.shape))") }
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
        try HessianVectorProduct.checkSupported(model)
        fast = allowFastPath ? try MLPHessianVectorProduct(model: model, loss: loss, x: x, labels: labels) : nil
    }

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

    static func checkSupported(_ m: Module) throws {
        switch m {
        case is Linear, is ElementwiseActivation, is Identity, is RowSoftmax: return
        case let s as Sequential: for c in s.children { try checkSupported(c) }
        default: throw TensorError("hvp: module \(m.description) has no Hessian-vector product")
        }
    }

    /// out = H v.
    public func apply(_ v: [Double], into out: inout [Double]) throws {
        guard v.count == dimension else {
            throw TensorError("hvp: direction has \(v.count) values, the model has \(dimension) parameters")
        }
        if interrupted?() == true { throw TensorError("interrupted") }
        if let fast {
            if !prepared { try prepare() }
            try v.withUnsafeBufferPointer { vb in try out.withUnsafeMutableBufferPointer { try fast.apply(vb, into: $0) } }
            return
        }
        let direction = try Tensor(shape: [dimension], values: v)
        let hv = try Tensor(zeros: [dimension])
        saved.removeAll(keepingCapacity: true)
        let (z, rz) = try rForward(model, x, nil, direction)
        let (g, rg) = try lossGradients(z, rz)
        _ = try rBackward(model, g, rg, direction, hv)
        let p = hv.pointer(Double.self)
        for i in 0..<dimension { out[i] = p[i] }
    }

    public func apply(_ v: [Double]) throws -> [Double] {
        var out = [Double](repeating: 0, count: dimension)
        try apply(v, into: &out)
        return out
    }

    // MARK: forward with R

    /// The view of the flat direction (or flat result) that belongs to parameter p.
    private func slice(_ flat: Tensor, _ p: Tensor) throws -> Tensor {
        try flat.narrow(0, start: offsets[ObjectIdentifier(p)]!, length: p.count).view(p.shape)
    }

    private func rForward(_ m: Module, _ x: Tensor, _ rx: Tensor?, _ v: Tensor) throws -> (Tensor, Tensor) {
        let y: Tensor, ry: Tensor
        switch m {
        case let s as Sequential:
            var h = x, rh = rx
            for c in s.children {
                let (a, ra) = try rForward(c, h, rh, v)
                h = a; rh = ra
            }
            return (h, try rh ?? Tensor(zeros: h.shape))
        case let lin as Linear:
            let vw = try slice(v, lin.weight)
            y = try Tensor(uninitialized: [x.shape[0], lin.outputSize])
            ry = try Tensor(uninitialized: y.shape)
            if let b = lin.bias {
                try y.copy(from: b)
                try ry.copy(from: try slice(v, b))
            } else {
                y.fill(0); ry.fill(0)
            }
            try Tensor.gemm(x, lin.weight, into: y, alpha: 1, beta: 1)
            try Tensor.gemm(x, vw, into: ry, alpha: 1, beta: 1)
            if let rx { try Tensor.gemm(rx, lin.weight, into: ry, alpha: 1, beta: 1) }
        case let act as ElementwiseActivation:
            y = try x.map(act.kind.unaryOp)
            ry = try rx.map { try Tensor.binary(.mul, $0, act.kind.derivative(x: x, y: y)) } ?? Tensor(zeros: x.shape)
        case is Identity:
            y = x
            ry = try rx ?? Tensor(zeros: x.shape)
        case let sm as RowSoftmax:
            let p = try x.softmax(dim: 1)
            y = sm.takeLog ? try x.logSoftmax(dim: 1) : p
            if let rx {
                let centred = try Tensor.binary(.sub, rx, try rowSum(try Tensor.binary(.mul, p, rx)))
                ry = sm.takeLog ? centred : try Tensor.binary(.mul, p, centred)
            } else {
                ry = try Tensor(zeros: x.shape)
            }
        default:
            throw TensorError("hvp: module \(m.description) has no Hessian-vector product")
        }
        saved[ObjectIdentifier(m)] = (x, rx, y, ry)
        return (y, ry)
    }

    /// Row sums as an (N x 1) column, for broadcasting against rows.
    private func rowSum(_ t: Tensor) throws -> Tensor {
        try t.reduce(.sum, dim: 1).values.view([t.shape[0], 1])
    }

    // MARK: the loss's gradient and its R

    private func lossGradients(_ z: Tensor, _ rz: Tensor) throws -> (Tensor, Tensor) {
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

    // MARK: backward with R

    /// Returns (g_in, R{g_in}) and adds R{∂L/∂θ} of m's parameters into hv.
    private func rBackward(_ m: Module, _ g: Tensor, _ rg: Tensor, _ v: Tensor, _ hv: Tensor) throws -> (Tensor, Tensor) {
        if let s = m as? Sequential {
            var gg = g, rgg = rg
            for c in s.children.reversed() { (gg, rgg) = try rBackward(c, gg, rgg, v, hv) }
            return (gg, rgg)
        }
        guard let st = saved[ObjectIdentifier(m)] else { throw TensorError("hvp: internal error: no forward state") }
        switch m {
        case let lin as Linear:
            let vw = try slice(v, lin.weight)
            // R{dW} = R{x}^T g + x^T R{g};  R{db} = column sums of R{g}.
            let hw = try slice(hv, lin.weight)
            try Tensor.gemm(try st.x.t(), rg, into: hw, alpha: 1, beta: 1)
            if let rx = st.rx { try Tensor.gemm(try rx.t(), g, into: hw, alpha: 1, beta: 1) }
            if let b = lin.bias { try slice(hv, b).addScaled(try rg.reduce(.sum, dim: 0).values, alpha: 1) }
            // g_in = g W^T;  R{g_in} = R{g} W^T + g V_W^T.
            let gin = try Tensor(uninitialized: st.x.shape), rgin = try Tensor(uninitialized: st.x.shape)
            try Tensor.gemm(g, try lin.weight.t(), into: gin, alpha: 1, beta: 0)
            try Tensor.gemm(rg, try lin.weight.t(), into: rgin, alpha: 1, beta: 0)
            try Tensor.gemm(g, try vw.t(), into: rgin, alpha: 1, beta: 1)
            return (gin, rgin)
        case let act as ElementwiseActivation:
            // g_in = f'(x) g;  R{g_in} = f''(x) R{x} g + f'(x) R{g}.
            let d1 = try act.kind.derivative(x: st.x, y: st.y)
            let gin = try Tensor.binary(.mul, d1, g)
            var rgin = try Tensor.binary(.mul, d1, rg)
            if let rx = st.rx, let d2 = try act.kind.secondDerivative(y: st.y) {
                rgin = try Tensor.binary(.add, rgin, try Tensor.binary(.mul, try Tensor.binary(.mul, d2, rx), g))
            }
            return (gin, rgin)
        case is Identity:
            return (g, rg)
        case let sm as RowSoftmax:
            let p = try st.x.softmax(dim: 1)
            let rp = st.rx == nil ? try Tensor(zeros: p.shape)
                : try Tensor.binary(.mul, p, try Tensor.binary(.sub, st.rx!, try rowSum(try Tensor.binary(.mul, p, st.rx!))))
            if sm.takeLog {
                // g_in = g - p Σg;  R{g_in} = R{g} - R{p} Σg - p ΣR{g}.
                let sg = try rowSum(g), srg = try rowSum(rg)
                let gin = try Tensor.binary(.sub, g, try Tensor.binary(.mul, p, sg))
                let rgin = try Tensor.binary(.sub, try Tensor.binary(.sub, rg, try Tensor.binary(.mul, rp, sg)),
                                             try Tensor.binary(.mul, p, srg))
                return (gin, rgin)
            }
            // y = p: g_in = p (g - <g,p>);  R{g_in} = R{p}(g - <g,p>) + p (R{g} - <R{g},p> - <g,R{p}>).
            let gp = try rowSum(try Tensor.binary(.mul, g, p))
            let gin = try Tensor.binary(.mul, p, try Tensor.binary(.sub, g, gp))
            let inner = try Tensor.binary(.sub, try Tensor.binary(.sub, rg, try rowSum(try Tensor.binary(.mul, rg, p))),
                                          try rowSum(try Tensor.binary(.mul, g, rp)))
            let rgin = try Tensor.binary(.add, try Tensor.binary(.mul, rp, try Tensor.binary(.sub, g, gp)),
                                         try Tensor.binary(.mul, p, inner))
            return (gin, rgin)
        default:
            throw TensorError("hvp: module \(m.description) has no Hessian-vector product")
        }
    }
}

extension ElementwiseActivation.Kind {
    var unaryOp: UnaryOp {
        switch self {
        case .relu: return .relu
        case .tanh: return .tanh
        case .sigmoid: return .sigmoid
        }
    }

    /// f'(x) from x and y = f(x). ReLU's derivative at 0 is 0, as in backward.
    func derivative(x: Tensor, y: Tensor) throws -> Tensor {
        switch self {
        case .relu: return try Tensor.binary(.gt, x, scalar: 0)
        case .tanh: return try Tensor.binary(.sub, try y.map(.pow(2)), scalar: 1, scalarFirst: true)
        case .sigmoid: return try Tensor.binary(.mul, y, Tensor.binary(.sub, y, scalar: 1, scalarFirst: true))
        }
    }

    /// f''(x) from y; nil where it is zero everywhere (ReLU).
    func secondDerivative(y: Tensor) throws -> Tensor? {
        switch self {
        case .relu: return nil
        case .tanh:
            // -2 y (1 - y^2)
            let d1 = try Tensor.binary(.sub, try y.map(.pow(2)), scalar: 1, scalarFirst: true)
            return try Tensor.binary(.mul, Tensor.binary(.mul, y, scalar: -2), d1)
        case .sigmoid:
            // y (1 - y)(1 - 2y)
            let d1 = try Tensor.binary(.mul, y, Tensor.binary(.sub, y, scalar: 1, scalarFirst: true))
            return try Tensor.binary(.mul, d1, Tensor.binary(.sub, Tensor.binary(.mul, y, scalar: 2), scalar: 1, scalarFirst: true))
        }
    }
}

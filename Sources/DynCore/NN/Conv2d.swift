import CKernels

/// 2-D convolution (cross-correlation, as in every deep-learning library) on (N, C, H, W):
/// y[n, o] = b[o] + sum over c, i, j of W[o, c, i, j] x[n, c, oy s - p + i, ox s - p + j], zero
/// outside the input. Each sample goes through im2col (a (C kh kw) x (OH OW) matrix of its
/// windows) and one BLAS gemm; backward reuses the same matrices:
/// dW += dY_n col_n^T, db += row sums of dY_n, dX_n = col2im(W^T dY_n).
public final class Conv2d: Module {
    public let inChannels: Int
    public let outChannels: Int
    public let window: Window2d
    public private(set) var weight: Tensor
    public private(set) var bias: Tensor?
    public private(set) var gradWeight: Tensor
    public private(set) var gradBias: Tensor?

    private var output: Tensor?
    private var gradInput: Tensor?
    private var columns: Tensor?
    private var columnGradient: Tensor?

    /// A layer drawing its weight (row-major over (out, in, kh, kw)), then its bias, from the
    /// global generator. The scheme's fans are in kh kw and out kh kw.
    public init(_ inChannels: Int, _ outChannels: Int, window: Window2d, init scheme: WeightInit = .glorotNormal,
                bias: Bool = true) throws {
        guard inChannels >= 1, outChannels >= 1, inChannels <= Window2d.maxSize, outChannels <= Window2d.maxSize else {
            throw TensorError("Conv2d: channel counts must be between 1 and \(Window2d.maxSize), got \(inChannels) -> \(outChannels)")
        }
        let shape = [outChannels, inChannels, window.kh, window.kw]
        let area = window.kh * window.kw
        // Both products can be large: the checked count refuses a weight no memory holds.
        _ = try Tensor.checkedCount(shape, .float64, "Conv2d")
        var g = Generator.global  // a copy: see Generator.drawingFromGlobal
        defer { Generator.global = g }
        let w = try scheme.draw(shape: shape, fanIn: inChannels * area, fanOut: outChannels * area, &g)
        var b: Tensor? = nil
        if bias {
            let t = try Tensor(uninitialized: [outChannels])
            t.fillEach { WeightInit.biasStd * g.normal() }
            b = t
        }
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.window = window
        weight = w
        self.bias = b
        gradWeight = try Tensor(zeros: shape)
        gradBias = try b.map { try Tensor(zeros: $0.shape) }
        super.init()
    }

    /// A layer holding copies of the given parameters (a checkpoint being loaded).
    public init(weight w: Tensor, bias b: Tensor?, stride: (Int, Int), padding: (Int, Int)) throws {
        guard w.rank == 4, w.count > 0 else {
            throw TensorError("Conv2d: weight must be a non-empty 4-D tensor (out, in, kh, kw), got shape \(shapeText(w.shape))")
        }
        if let b, b.shape != [w.shape[0]] {
            throw TensorError("Conv2d: bias must have shape \(shapeText([w.shape[0]])), got \(shapeText(b.shape))")
        }
        window = try Window2d(kernel: (w.shape[2], w.shape[3]), stride: stride, padding: padding, layer: "Conv2d")
        outChannels = w.shape[0]
        inChannels = w.shape[1]
        weight = try w.clone()
        bias = try b.map { try $0.converted(to: w.dtype).clone() }
        gradWeight = try Tensor(zeros: w.shape, dtype: w.dtype)
        gradBias = try b.map { try Tensor(zeros: $0.shape, dtype: w.dtype) }
        super.init()
    }

    public override var description: String {
        var s = "Conv2d(\(inChannels) -> \(outChannels), \(window.kh)x\(window.kw)"
        if window.sh != 1 || window.sw != 1 { s += ", stride \(Window2d.pairText(window.sh, window.sw))" }
        if window.ph != 0 || window.pw != 0 { s += ", padding \(Window2d.pairText(window.ph, window.pw))" }
        if bias == nil { s += ", no bias" }
        if weight.dtype != .float64 { s += ", \(weight.dtype.rawValue)" }
        return s + ")"
    }

    public override var parameters: [Tensor] { bias.map { [weight, $0] } ?? [weight] }
    public override var gradients: [Tensor] { gradBias.map { [gradWeight, $0] } ?? [gradWeight] }

    public override func field(_ name: String) -> Tensor? {
        Module.weightAndBiasField(name, weight: weight, bias: bias, gradWeight: gradWeight, gradBias: gradBias)
    }

    public override func convert(to dtype: DType) throws {
        guard dtype != weight.dtype else { return }
        weight = try weight.converted(to: dtype)
        bias = try bias?.converted(to: dtype)
        gradWeight = try gradWeight.converted(to: dtype)
        gradBias = try gradBias?.converted(to: dtype)
        output = nil
        gradInput = nil
        columns = nil
        columnGradient = nil
        lastInput = nil
    }

    private var rowsOfColumns: Int { inChannels * window.kh * window.kw }

    /// A matrix view of `rows` x `cols` elements of t's storage starting at element `start`.
    private static func block(_ t: Tensor, _ start: Int, _ rows: Int, _ cols: Int) -> Tensor {
        Tensor(storage: t.storage, shape: [rows, cols], strides: [cols, 1], offset: t.offset + start)
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        let xc = try Window2d.images(x, channels: inChannels, dtype: weight.dtype, layer: description)
        let n = xc.shape[0], h = xc.shape[2], w = xc.shape[3]
        var g = try window.geometry(h: h, w: w, layer: description, input: x.shape)
        let p = g.oh * g.ow, k = rowsOfColumns
        let y = try Buffers.reuse(&output, shape: [n, outChannels, g.oh, g.ow], dtype: weight.dtype)
        let col = try Buffers.reuse(&columns, rows: k, cols: p, dtype: weight.dtype)
        let w2 = try weight.view([outChannels, k])
        for s in 0..<n {
            let yn = Conv2d.block(y, s * outChannels * p, outChannels, p)
            switch weight.dtype {
            case .float64:
                dyn_im2col_f64(&g, inChannels, xc.pointer(Double.self) + s * inChannels * h * w, col.pointer(Double.self))
                if let bias { Conv2d.fillRows(yn.pointer(Double.self), bias.pointer(Double.self), outChannels, p) }
            case .float32:
                dyn_im2col_f32(&g, inChannels, xc.pointer(Float.self) + s * inChannels * h * w, col.pointer(Float.self))
                if let bias { Conv2d.fillRows(yn.pointer(Float.self), bias.pointer(Float.self), outChannels, p) }
            }
            try Tensor.gemm(w2, col, into: yn, alpha: 1, beta: bias == nil ? 0 : 1)
        }
        lastInput = x
        return y
    }

    public override func backward(_ x: Tensor, _ gradOutput: Tensor) throws -> Tensor {
        try backward(x, gradOutput, inputGradient: true)!
    }

    /// The first layer of a network: its input gradient is never used, skip it.
    public override func accumulateParameterGradients(_ x: Tensor, _ gradOutput: Tensor) throws {
        _ = try backward(x, gradOutput, inputGradient: false)
    }

    private func backward(_ x: Tensor, _ gradOutput: Tensor, inputGradient: Bool) throws -> Tensor? {
        let xc = try Window2d.images(x, channels: inChannels, dtype: weight.dtype, layer: description)
        let n = xc.shape[0], h = xc.shape[2], w = xc.shape[3]
        var g = try window.geometry(h: h, w: w, layer: description, input: x.shape)
        let p = g.oh * g.ow, k = rowsOfColumns
        let gy = try Window2d.gradient(gradOutput, shape: [n, outChannels, g.oh, g.ow], dtype: weight.dtype, layer: description)
        let col = try Buffers.reuse(&columns, rows: k, cols: p, dtype: weight.dtype)
        let colT = try col.t()
        let w2 = try weight.view([outChannels, k]), gw2 = try gradWeight.view([outChannels, k])
        let gx = inputGradient ? try Buffers.reuse(&gradInput, shape: xc.shape, dtype: weight.dtype) : nil
        let dcol = inputGradient ? try Buffers.reuse(&columnGradient, rows: k, cols: p, dtype: weight.dtype) : nil
        gx?.zeroFill()
        for s in 0..<n {
            let gyn = Conv2d.block(gy, s * outChannels * p, outChannels, p)
            let sample = s * inChannels * h * w
            switch weight.dtype {
            case .float64: dyn_im2col_f64(&g, inChannels, xc.pointer(Double.self) + sample, col.pointer(Double.self))
            case .float32: dyn_im2col_f32(&g, inChannels, xc.pointer(Float.self) + sample, col.pointer(Float.self))
            }
            try Tensor.gemm(gyn, colT, into: gw2, alpha: 1, beta: 1)
            if let gradBias {
                switch weight.dtype {
                case .float64: Conv2d.addRowSums(gyn.pointer(Double.self), gradBias.pointer(Double.self), outChannels, p)
                case .float32: Conv2d.addRowSums(gyn.pointer(Float.self), gradBias.pointer(Float.self), outChannels, p)
                }
            }
            guard let gx, let dcol else { continue }
            try Tensor.gemm(w2, gyn, into: dcol, alpha: 1, beta: 0, transposeA: true)
            switch weight.dtype {
            case .float64: dyn_col2im_f64(&g, inChannels, dcol.pointer(Double.self), gx.pointer(Double.self) + sample)
            case .float32: dyn_col2im_f32(&g, inChannels, dcol.pointer(Float.self), gx.pointer(Float.self) + sample)
            }
        }
        return gx
    }

    private static func fillRows<T: TensorScalar>(_ y: UnsafeMutablePointer<T>, _ b: UnsafePointer<T>, _ rows: Int, _ cols: Int) {
        for r in 0..<rows { (y + r * cols).update(repeating: b[r], count: cols) }
    }

    private static func addRowSums<T: TensorScalar>(_ g: UnsafePointer<T>, _ db: UnsafeMutablePointer<T>, _ rows: Int, _ cols: Int) {
        for r in 0..<rows {
            var s: T = 0
            for j in 0..<cols { s += g[r * cols + j] }
            db[r] += s
        }
    }
}

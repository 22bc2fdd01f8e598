import CKernels

/// 2-D convolution (cross-correlation, as in every deep-learning library) on (N, C, H, W):
/// y[n, o] = b[o] + sum over c, i, j of W[o, c, i, j] x[n, c, oy s - p + i, ox s - p + j], zero
/// outside the input. Chunks of samples go through im2col (a (C kh kw) x (chunk OH OW) matrix of
/// their windows) and one BLAS gemm; backward rebuilds the same matrices:
/// dW += dY_c col_c^T, db += row sums of dY_c, dX_c = col2im(W^T dY_c). The chunks run on the
/// thread pool (Parallel); their gradient partials are summed in chunk order.
public final class Conv2d: Module {
    public let inChannels: Int
    public let outChannels: Int
    public let window: Window2d
    private var affine: WeightAndBias
    public var weight: Tensor { affine.weight }
    public var bias: Tensor? { affine.bias }
    public var gradWeight: Tensor { affine.gradWeight }
    public var gradBias: Tensor? { affine.gradBias }

    private var output: Tensor?
    private var gradInput: Tensor?
    private var columns: Tensor?
    private var columnGradient: Tensor?
    private var gradientPartials: Tensor?
    private var flippedWeight: Tensor?

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
        affine = try WeightAndBias(weight: w, bias: b)
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
        affine = try WeightAndBias(weight: try w.clone(), bias: try b.map { try $0.clone() })
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

    public override var parameters: [Tensor] { affine.parameters }
    public override var gradients: [Tensor] { affine.gradients }
    public override func forEachParameter(_ body: (Tensor) -> Void) { affine.forEachParameter(body) }
    public override func forEachGradient(_ body: (Tensor) -> Void) { affine.forEachGradient(body) }
    public override func field(_ name: String) -> Tensor? { affine.field(name) }

    public override func convert(to dtype: DType) throws {
        guard try affine.convert(to: dtype) else { return }
        output = nil
        gradInput = nil
        columns = nil
        columnGradient = nil
        gradientPartials = nil
        flippedWeight = nil
        lastInput = nil
    }

    private var rowsOfColumns: Int { inChannels * window.kh * window.kw }

    /// Samples go through im2col and the products in chunks of about this many output columns
    /// (whole samples, at least one): a chunk's matrices then stay in the cache between im2col
    /// and the product (measured on the bench CNN: 512 columns 8% faster than 2,048, 256 and
    /// 1,024 about as fast as 512). The chunks depend on the shapes only, never on the thread
    /// count.
    static let chunkColumns = 512

    /// The chunking of n samples of p output positions each: samples per chunk, chunk count.
    private static func chunks(_ n: Int, _ p: Int) -> (size: Int, count: Int) {
        let size = max(1, min(n, chunkColumns / max(p, 1)))
        return (size, n == 0 ? 0 : (n + size - 1) / size)
    }

    /// The geometry, with the sizes BLAS receives (32-bit) checked.
    private func checkedGeometry(_ x: Tensor, _ h: Int, _ w: Int) throws -> dyn_window {
        let g = try window.geometry(h: h, w: w, layer: description, input: x.shape)
        guard rowsOfColumns <= Int(Int32.max), g.oh * g.ow <= Int(Int32.max) / 2 else {
            throw TensorError("\(description): input of shape \(shapeText(x.shape)) is too large for one product")
        }
        return g
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        let xc = try Window2d.images(x, channels: inChannels, dtype: weight.dtype, layer: description)
        let n = xc.shape[0], h = xc.shape[2], w = xc.shape[3]
        let g = try checkedGeometry(x, h, w)
        let y = try Buffers.reuse(&output, shape: [n, outChannels, g.oh, g.ow], dtype: weight.dtype)
        switch weight.dtype {
        case .float64: try forward(Double.self, xc, y, g)
        case .float32: try forward(Float.self, xc, y, g)
        }
        lastInput = x
        return y
    }

    /// Each chunk of samples: im2col into col (k x cols), z = W col (outChannels x cols) in one
    /// product, then z copied into the samples' outputs with the bias added.
    private func forward<T: ConvKernels>(_: T.Type, _ xc: Tensor, _ y: Tensor, _ g: dyn_window) throws {
        let n = xc.shape[0], plane = inChannels * xc.shape[2] * xc.shape[3]
        let p = g.oh * g.ow, k = rowsOfColumns, o = outChannels
        let (size, count) = Conv2d.chunks(n, p)
        let cols = size * p, perWorker = (k + o) * cols
        let workers = Parallel.threads
        let scratch = try Buffers.reuse(&columns, rows: workers, cols: perWorker, dtype: weight.dtype)
        let xp = xc.pointer(T.self), yp = y.pointer(T.self), wp = weight.pointer(T.self)
        let bp = bias.map { UnsafePointer($0.pointer(T.self)) }, sp = scratch.pointer(T.self)
        Parallel.run(count) { task, worker in
            var geometry = g
            let first = task * size, m = min(size, n - first), width = m * p
            let col = sp + worker * perWorker, yn = yp + first * o * p
            T.im2col(&geometry, inChannels, m, xp + first * plane, col, width)
            // One sample: the product has the output's layout, write it there (no copy).
            let z = m == 1 ? yn : col + k * cols
            T.gemm(transA: false, transB: false, o, width, k, wp, k, col, width, z)
            if m > 1 || bp != nil { T.scatter(m, o, p, z, bp, yn) }
        }
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
        let g = try checkedGeometry(x, h, w)
        let gy = try Window2d.gradient(gradOutput, shape: [n, outChannels, g.oh, g.ow], dtype: weight.dtype, layer: description)
        let gx = inputGradient ? try Buffers.reuse(&gradInput, shape: xc.shape, dtype: weight.dtype) : nil
        switch weight.dtype {
        case .float64: try backward(Double.self, xc, gy, gx, g)
        case .float32: try backward(Float.self, xc, gy, gx, g)
        }
        return gx
    }

    /// Chunks in waves of at most this many: each wave's parameter-gradient partials are added
    /// to the gradients in chunk order (the same sums on any number of threads), and the
    /// partials' memory stays bounded whatever the batch size.
    static let wave = 32

    /// With stride 1 and padding below the kernel size, the input gradient is itself a
    /// convolution: of the output gradient, padded by (kh - 1 - ph, kw - 1 - pw), with the
    /// kernel flipped and its channel axes swapped. That is an im2col of out kh kw rows and a
    /// product shaped like the forward's (no zeroing, no scattered additions), against a product
    /// of in kh kw rows added back by col2im: the first wins unless the layer widens (out > in,
    /// as a first layer on grey images: 9 rows against 288 there).
    private func transposedWindow(_ g: dyn_window) -> dyn_window? {
        guard g.sh == 1, g.sw == 1, g.ph < g.kh, g.pw < g.kw, outChannels <= inChannels else { return nil }
        return dyn_window(h: g.oh, w: g.ow, kh: g.kh, kw: g.kw, sh: 1, sw: 1, ph: g.kh - 1 - g.ph, pw: g.kw - 1 - g.pw,
                          oh: g.h, ow: g.w)
    }

    /// flipped[c, (o, i, j)] = weight[o, c, kh - 1 - i, kw - 1 - j]: the transposed window's kernel.
    private func flipWeight<T: ConvKernels>(_: T.Type, into f: UnsafeMutablePointer<T>) {
        let w = weight.pointer(T.self), kh = window.kh, kw = window.kw, area = kh * kw
        for o in 0..<outChannels {
            for c in 0..<inChannels {
                for i in 0..<kh {
                    for j in 0..<kw {
                        f[(c * outChannels + o) * area + i * kw + j] = w[(o * inChannels + c) * area + (kh - 1 - i) * kw + (kw - 1 - j)]
                    }
                }
            }
        }
    }

    /// Each chunk: im2col into col, its output gradients gathered into z (outChannels x cols),
    /// its weight gradient z col^T and bias gradient (row sums of z) into the chunk's partials,
    /// and, when wanted, the input gradients: by the transposed convolution above, else
    /// dcol = W^T z added back into the samples' input gradients (col2im).
    private func backward<T: ConvKernels>(_: T.Type, _ xc: Tensor, _ gy: Tensor, _ gx: Tensor?, _ g: dyn_window) throws {
        let n = xc.shape[0], hw = xc.shape[2] * xc.shape[3], plane = inChannels * hw
        let p = g.oh * g.ow, k = rowsOfColumns, o = outChannels, c = inChannels
        let (size, count) = Conv2d.chunks(n, p)
        let cols = size * p
        let transposed = gx == nil ? nil : transposedWindow(g)
        // dX scratch: transposed, the output gradients' columns (o kh kw x size hw) and the
        // product (c x size hw); else dcol (k x cols).
        let kt = o * window.kh * window.kw
        let dxScratch = gx == nil ? 0 : transposed == nil ? k * cols : (kt + c) * size * hw
        let perWorker = (k + o) * cols + dxScratch
        let workers = Parallel.threads
        let scratch = try Buffers.reuse(&columnGradient, rows: workers, cols: perWorker, dtype: weight.dtype)
        let partialSize = o * k + o
        let partials = try Buffers.reuse(&gradientPartials, rows: min(count, Conv2d.wave), cols: partialSize, dtype: weight.dtype)
        let flipped = try Buffers.reuse(&flippedWeight, rows: c, cols: kt, dtype: weight.dtype)
        let fp = flipped.pointer(T.self)
        if transposed != nil { flipWeight(T.self, into: fp) }
        let xp = xc.pointer(T.self), gyp = gy.pointer(T.self), wp = weight.pointer(T.self)
        let gxp = gx?.pointer(T.self), sp = scratch.pointer(T.self), pp = partials.pointer(T.self)
        let gw = gradWeight.pointer(T.self), gb = gradBias?.pointer(T.self)
        for start in stride(from: 0, to: count, by: Conv2d.wave) {
            let tasks = min(Conv2d.wave, count - start)
            Parallel.run(tasks) { t, worker in
                var geometry = g
                let first = (start + t) * size, m = min(size, n - first), width = m * p
                let col = sp + worker * perWorker, dx = col + (k + o) * cols
                let partial = pp + t * partialSize
                T.im2col(&geometry, c, m, xp + first * plane, col, width)
                // z: the chunk's output gradients as one (o x width) matrix; one sample's
                // already is one.
                let z = m == 1 ? UnsafePointer(gyp + first * o * p) : UnsafePointer(col + k * cols)
                if m > 1 { T.gather(m, o, p, gyp + first * o * p, col + k * cols) }
                T.gemm(transA: false, transB: true, o, k, width, z, width, col, width, partial)
                if gb != nil { T.rowSums(o, width, z, partial + o * k) }
                guard let gxp else { return }
                let gxn = gxp + first * plane
                if var gt = transposed {
                    let widthX = m * hw, product = m == 1 ? gxn : dx + kt * size * hw
                    T.im2col(&gt, o, m, gyp + first * o * p, dx, widthX)
                    T.gemm(transA: false, transB: false, c, widthX, kt, fp, kt, dx, widthX, product)
                    if m > 1 { T.scatter(m, c, hw, product, nil, gxn) }
                } else {
                    T.gemm(transA: true, transB: false, k, width, o, wp, k, z, width, dx)
                    gxn.update(repeating: 0, count: m * plane)
                    T.col2im(&geometry, c, m, dx, width, gxn)
                }
            }
            for t in 0..<tasks {
                T.addInto(o * k, pp + t * partialSize, gw)
                if let gb { T.addInto(o, pp + t * partialSize + o * k, gb) }
            }
        }
    }
}

/// y = x W + b for x of shape (N x n_in) (or one sample of n_in values), with `weight` W of
/// shape (n_in x n_out) and `bias` b of n_out values. Products go through BLAS gemm with
/// transposed views, never transposed copies:
/// forward  Y = X W (after filling Y's rows with b),
/// backward dX = dY W^T,  dW += X^T dY,  db += column sums of dY.
public final class Linear: Module {
    public let inputSize: Int
    public let outputSize: Int
    private var affine: WeightAndBias
    public var weight: Tensor { affine.weight }
    public var bias: Tensor? { affine.bias }
    public var gradWeight: Tensor { affine.gradWeight }
    public var gradBias: Tensor? { affine.gradBias }

    /// W^T as a view, kept so that backward does not build it every step.
    private var weightT: Tensor
    private var output: Tensor?
    private var gradInput: Tensor?
    private var weightTCopy: Tensor?

    /// A layer initialized from the global generator (`tensor.seed` makes it reproducible).
    public convenience init(_ nIn: Int, _ nOut: Int, init scheme: WeightInit = .glorotNormal, bias: Bool = true) throws {
        var g = Generator.global  // a copy: see Generator.drawingFromGlobal
        defer { Generator.global = g }
        try self.init(nIn, nOut, init: scheme, bias: bias, generator: &g)
    }

    /// A layer drawing its weight, then its bias, from g (see `WeightInit` for the order).
    public init(_ nIn: Int, _ nOut: Int, init scheme: WeightInit = .glorotNormal, bias: Bool = true,
                generator g: inout Generator) throws {
        guard nIn >= 1, nOut >= 1 else {
            throw TensorError("Linear: sizes must be positive, got \(nIn) -> \(nOut)")
        }
        // BLAS takes 32-bit sizes; refusing here saves allocating a weight no product can use.
        guard nIn <= Int32.max, nOut <= Int32.max else {
            throw TensorError("Linear: sizes must be at most \(Int32.max) (BLAS's limit), got \(nIn) -> \(nOut)")
        }
        let w = try scheme.draw(nIn, nOut, &g)
        var b: Tensor? = nil
        if bias {
            let t = try Tensor(uninitialized: [nOut])
            t.fillEach { WeightInit.biasStd * g.normal() }
            b = t
        }
        inputSize = nIn
        outputSize = nOut
        affine = try WeightAndBias(weight: w, bias: b)
        weightT = try! w.t()
        super.init()
    }

    /// A layer holding copies of the given parameters (a checkpoint being loaded).
    public init(weight w: Tensor, bias b: Tensor?) throws {
        guard w.rank == 2, w.shape[0] >= 1, w.shape[1] >= 1 else {
            throw TensorError("Linear: weight must be a non-empty 2-D tensor, got shape \(shapeText(w.shape))")
        }
        if let b, b.shape != [w.shape[1]] {
            throw TensorError("Linear: bias must have shape \(shapeText([w.shape[1]])), got \(shapeText(b.shape))")
        }
        inputSize = w.shape[0]
        outputSize = w.shape[1]
        affine = try WeightAndBias(weight: try w.clone(), bias: try b.map { try $0.clone() })
        weightT = try! affine.weight.t()
        super.init()
    }

    public override var description: String {
        var s = "Linear(\(inputSize) -> \(outputSize)"
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
        weightT = try! weight.t()
        output = nil
        gradInput = nil
        lastInput = nil
    }

    /// x as an (N x n_in) matrix of the parameters' dtype.
    private func matrix(_ x: Tensor, _ what: String, columns: Int) throws -> Tensor {
        var m = x
        if x.rank == 1 { m = try x.view1(asRow: true) }
        guard m.rank == 2, m.shape[1] == columns else {
            throw TensorError("\(description): \(what) of shape \(shapeText(x.shape)) should have \(columns) columns (rows are samples)")
        }
        return try m.converted(to: weight.dtype)
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        let xm = try matrix(x, "input", columns: inputSize)
        let rows = xm.shape[0]
        let y = try Buffers.reuse(&output, rows: rows, cols: outputSize, dtype: weight.dtype)
        if isSkinny {
            let (a, lda) = try SkinnyKernels.rowsContiguous(xm)
            SkinnyKernels.product(a, lda: lda, weight, ldb: outputSize, bt: inputSize > SkinnyKernels.small ? try transposedWeight() : nil,
                                  bias: bias, into: y, n: rows, k: inputSize, m: outputSize)
            lastInput = x
            return x.rank == 1 ? try y.view([outputSize]) : y
        }
        if let bias { SkinnyKernels.fillRows(y, bias) }
        try Tensor.gemm(xm, weight, into: y, alpha: 1, beta: bias == nil ? 0 : 1)
        lastInput = x
        return x.rank == 1 ? try y.view([outputSize]) : y
    }

    /// Needs only x, not the saved forward state, so any input is fine here.
    public override func backward(_ x: Tensor, _ gradOutput: Tensor) throws -> Tensor {
        try backward(x, gradOutput, inputGradient: true)!
    }

    /// The first layer of a network: its input gradient is never used, skip that product.
    public override func accumulateParameterGradients(_ x: Tensor, _ gradOutput: Tensor) throws {
        _ = try backward(x, gradOutput, inputGradient: false)
    }

    private func backward(_ x: Tensor, _ gradOutput: Tensor, inputGradient: Bool) throws -> Tensor? {
        let xm = try matrix(x, "input", columns: inputSize)
        guard gradOutput.rank == x.rank else {
            throw TensorError("\(description): backward: gradient of shape \(shapeText(gradOutput.shape)) does not match the output shape \(shapeText(x.rank == 1 ? [outputSize] : [xm.shape[0], outputSize]))")
        }
        let g = try matrix(gradOutput, "gradient", columns: outputSize)
        guard g.shape[0] == xm.shape[0] else {
            throw TensorError("\(description): backward: gradient has \(g.shape[0]) rows, the input has \(xm.shape[0])")
        }
        if isSkinny { return try skinnyBackward(x, xm, g, inputGradient: inputGradient) }
        try Tensor.gemm(xm, g, into: gradWeight, alpha: 1, beta: 1, transposeA: true)
        if let gradBias {
            switch weight.dtype {
            case .float64: Linear.addColumnSums(g, Double.self, into: gradBias.pointer(Double.self))
            case .float32: Linear.addColumnSums(g, Float.self, into: gradBias.pointer(Float.self))
            }
        }
        guard inputGradient else { return nil }
        let gx = try Buffers.reuse(&gradInput, rows: xm.shape[0], cols: inputSize, dtype: weight.dtype)
        try Tensor.gemm(g, weightT, into: gx, alpha: 1, beta: 0)
        return x.rank == 1 ? try gx.view([inputSize]) : gx
    }

    /// Layers with a tiny side (n_in or n_out <= 8) skip BLAS (see SkinnyKernels).
    private var isSkinny: Bool { SkinnyKernels.applies(inputs: inputSize, outputs: outputSize) }

    /// W^T (n_out x n_in, contiguous), refreshed from the current weight at every call.
    private func transposedWeight() throws -> Tensor {
        let t = try Buffers.reuse(&weightTCopy, rows: outputSize, cols: inputSize, dtype: weight.dtype)
        try SkinnyKernels.transpose(weight, ld: outputSize, into: t)
        return t
    }

    /// dW += X^T dY, db += column sums of dY, dX = dY W^T through the skinny kernels.
    private func skinnyBackward(_ x: Tensor, _ xm: Tensor, _ gm: Tensor, inputGradient: Bool) throws -> Tensor? {
        let n = xm.shape[0], k = inputSize, m = outputSize
        let (a, lda) = try SkinnyKernels.rowsContiguous(xm), (g, ldg) = try SkinnyKernels.rowsContiguous(gm)
        SkinnyKernels.addTransposedProduct(a, lda: lda, g, ldg: ldg, into: gradWeight, bias: gradBias, n: n, k: k, m: m)
        guard inputGradient else { return nil }
        let gx = try Buffers.reuse(&gradInput, rows: n, cols: k, dtype: weight.dtype)
        // dX = dY W^T: its inner dimension is n_out; W's rows are W^T's columns.
        SkinnyKernels.product(g, lda: ldg, m <= SkinnyKernels.small ? try transposedWeight() : weight, ldb: k,
                              bt: m <= SkinnyKernels.small ? nil : weight, bias: nil, into: gx, n: n, k: m, m: k)
        return x.rank == 1 ? try gx.view([inputSize]) : gx
    }

    /// Forward through this layer and the ReLU after it in one pass, writing only the ReLU's
    /// output h (same bits as the two forwards). The ReLU is recorded as having seen h itself:
    /// relu(h) = h, so its saved input and output stay consistent, and this layer's backward
    /// needs only x. Returns h, or nil (nothing done) when the shapes do not fit.
    func forwardThroughReLU(_ x: Tensor, relu: ElementwiseActivation) throws -> Tensor? {
        guard isSkinny, inputSize <= SkinnyKernels.small, relu.kind == .relu, x.rank == 2 else { return nil }
        let xm = try matrix(x, "input", columns: inputSize)
        let rows = xm.shape[0]
        let h = try Buffers.reuse(&relu.output, rows: rows, cols: outputSize, dtype: weight.dtype)
        let (a, lda) = try SkinnyKernels.rowsContiguous(xm)
        SkinnyKernels.productWithReLU(a, lda: lda, weight, ldb: outputSize, bias: bias, into: h,
                                      n: rows, k: inputSize, m: outputSize)
        lastInput = x
        relu.lastInput = h
        return h
    }

    /// Backward through this layer and the ReLU in front of it (whose output is x) in one pass:
    /// the same bits as `backward` then relu's backward, without writing dL/dx in between.
    /// Returns nil (nothing done) when the shapes do not fit; Sequential then runs both.
    func backwardThroughReLU(_ x: Tensor, _ gradOutput: Tensor, relu: ElementwiseActivation) throws -> Tensor? {
        guard isSkinny, outputSize <= SkinnyKernels.small, relu.kind == .relu, let y = relu.output, x === y,
              x.rank == 2, x.shape[1] == inputSize, gradOutput.rank == 2, x.dtype == weight.dtype,
              x.isContiguous else { return nil }
        let gm = try matrix(gradOutput, "gradient", columns: outputSize)
        guard gm.shape[0] == x.shape[0] else {
            throw TensorError("\(description): backward: gradient has \(gm.shape[0]) rows, the input has \(x.shape[0])")
        }
        let n = x.shape[0], k = inputSize, m = outputSize
        let (g, ldg) = try SkinnyKernels.rowsContiguous(gm)
        SkinnyKernels.addTransposedProduct(x, lda: k, g, ldg: ldg, into: gradWeight, bias: gradBias, n: n, k: k, m: m)
        let gx = try Buffers.reuse(&relu.gradInput, rows: n, cols: k, dtype: weight.dtype)
        SkinnyKernels.maskedProduct(g, lda: ldg, try transposedWeight(), ldb: k, mask: y, into: gx, n: n, k: m, m: k)
        return gx
    }

    static func fillRows<T: TensorScalar>(_ y: UnsafeMutablePointer<T>, _ rows: Int, _ cols: Int, _ b: UnsafePointer<T>) {
        for r in 0..<rows {
            (y + r * cols).update(from: b, count: cols)
        }
    }

    /// db[j] += sum over rows of g[r, j], for any strides of g.
    static func addColumnSums<T: TensorScalar>(_ g: Tensor, _: T.Type, into db: UnsafeMutablePointer<T>) {
        let p = g.pointer(T.self)
        let rows = g.shape[0], cols = g.shape[1], rs = g.strides[0], cs = g.strides[1]
        if cs == 1 {
            // Same order of additions as the strided loop, but the inner loop vectorizes.
            for r in 0..<rows {
                let row = p + r * rs
                for j in 0..<cols { db[j] += row[j] }
            }
            return
        }
        for r in 0..<rows {
            let row = p + r * rs
            for j in 0..<cols { db[j] += row[j * cs] }
        }
    }
}

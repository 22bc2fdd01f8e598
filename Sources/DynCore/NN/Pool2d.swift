import CKernels

/// Average or max pooling over k x k windows (stride k unless given, no padding) of each
/// channel of an (N, C, H, W) input; the output is (N, C, OH, OW) with OH = (H - k) / stride + 1.
public final class Pool2d: Module {
    public enum Kind: String, Sendable { case average = "AvgPool2d", max = "MaxPool2d" }

    public let kind: Kind
    public let window: Window2d
    private var output: Tensor?
    private var gradInput: Tensor?

    public init(_ kind: Kind, kernel: Int, stride: Int? = nil) throws {
        self.kind = kind
        window = try Window2d(kernel: (kernel, kernel), stride: (stride ?? kernel, stride ?? kernel), padding: (0, 0),
                              layer: kind.rawValue)
        super.init()
    }

    public override var description: String {
        "\(kind.rawValue)(\(window.kh)" + (window.sh == window.kh ? ")" : ", stride \(window.sh))")
    }

    public override func forward(_ x: Tensor) throws -> Tensor {
        let dtype = x.dtype
        let xc = try Window2d.images(x, channels: nil, dtype: dtype, layer: description)
        let g = try window.geometry(h: xc.shape[2], w: xc.shape[3], layer: description, input: x.shape)
        let planes = xc.shape[0] * xc.shape[1]
        let y = try Buffers.reuse(&output, shape: [xc.shape[0], xc.shape[1], g.oh, g.ow], dtype: dtype)
        let inPlane = g.h * g.w, outPlane = g.oh * g.ow
        Pool2d.forPlaneRuns(planes, inPlane) { first, count in
            var gl = g
            switch (kind, dtype) {
            case (.average, .float64): dyn_avgpool_f64(&gl, count, xc.pointer(Double.self) + first * inPlane, y.pointer(Double.self) + first * outPlane)
            case (.average, .float32): dyn_avgpool_f32(&gl, count, xc.pointer(Float.self) + first * inPlane, y.pointer(Float.self) + first * outPlane)
            case (.max, .float64): dyn_maxpool_f64(&gl, count, xc.pointer(Double.self) + first * inPlane, y.pointer(Double.self) + first * outPlane)
            case (.max, .float32): dyn_maxpool_f32(&gl, count, xc.pointer(Float.self) + first * inPlane, y.pointer(Float.self) + first * outPlane)
            }
        }
        lastInput = x
        return y
    }

    /// Runs body(first plane, plane count) over runs of the N C planes on the thread pool: runs of
    /// about 16K input elements, cut by the shapes only. Planes are independent, so the
    /// results are the same bits on any number of threads.
    static func forPlaneRuns(_ planes: Int, _ planeSize: Int, _ body: (Int, Int) -> Void) {
        Parallel.forRuns(planes, of: max(1, (1 << 14) / max(planeSize, 1)), body)
    }

    public override func backward(_ x: Tensor, _ gradOutput: Tensor) throws -> Tensor {
        let dtype = x.dtype
        let xc = try Window2d.images(x, channels: nil, dtype: dtype, layer: description)
        let g = try window.geometry(h: xc.shape[2], w: xc.shape[3], layer: description, input: x.shape)
        let planes = xc.shape[0] * xc.shape[1]
        let gy = try Window2d.gradient(gradOutput, shape: [xc.shape[0], xc.shape[1], g.oh, g.ow], dtype: dtype, layer: description)
        let gx = try Buffers.reuse(&gradInput, shape: xc.shape, dtype: dtype)
        let inPlane = g.h * g.w, outPlane = g.oh * g.ow
        Pool2d.forPlaneRuns(planes, inPlane) { first, count in
            var gl = g
            let a = first * inPlane, b = first * outPlane
            switch dtype {
            case .float64: (gx.pointer(Double.self) + a).update(repeating: 0, count: count * inPlane)
            case .float32: (gx.pointer(Float.self) + a).update(repeating: 0, count: count * inPlane)
            }
            switch (kind, dtype) {
            case (.average, .float64): dyn_avgpool_backward_f64(&gl, count, gy.pointer(Double.self) + b, gx.pointer(Double.self) + a)
            case (.average, .float32): dyn_avgpool_backward_f32(&gl, count, gy.pointer(Float.self) + b, gx.pointer(Float.self) + a)
            case (.max, .float64): dyn_maxpool_backward_f64(&gl, count, xc.pointer(Double.self) + a, gy.pointer(Double.self) + b, gx.pointer(Double.self) + a)
            case (.max, .float32): dyn_maxpool_backward_f32(&gl, count, xc.pointer(Float.self) + a, gy.pointer(Float.self) + b, gx.pointer(Float.self) + a)
            }
        }
        return gx
    }
}

/// (N, d1, d2, ...) -> (N, d1 d2 ...): a view when the input is contiguous; backward gives the
/// gradient the input's shape.
public final class Flatten: Module {
    public override init() { super.init() }

    public override var description: String { "Flatten" }

    public override func forward(_ x: Tensor) throws -> Tensor {
        guard x.rank >= 2 else {
            throw TensorError("Flatten: input must have at least 2 dimensions (samples first), got shape \(shapeText(x.shape))")
        }
        let features = x.shape.dropFirst().reduce(1, *)
        lastInput = x
        return try (x.isContiguous ? x : try x.clone()).view([x.shape[0], features])
    }

    public override func backward(_ x: Tensor, _ gradOutput: Tensor) throws -> Tensor {
        guard x.rank >= 2 else {
            throw TensorError("Flatten: input must have at least 2 dimensions (samples first), got shape \(shapeText(x.shape))")
        }
        let features = x.shape.dropFirst().reduce(1, *)
        guard gradOutput.shape == [x.shape[0], features] else {
            throw TensorError("Flatten: backward: gradient of shape \(shapeText(gradOutput.shape)) does not match the output shape \(shapeText([x.shape[0], features]))")
        }
        return try (gradOutput.isContiguous ? gradOutput : try gradOutput.clone()).view(x.shape)
    }
}

/// (N, C, H, W) -> (N, C): the mean of each channel's H x W plane (the head of all-convolutional
/// networks). Backward spreads each gradient evenly over its plane.
public final class GlobalAvgPool2d: Module {
    private var output: Tensor?
    private var gradInput: Tensor?

    public override init() { super.init() }

    public override var description: String { "GlobalAvgPool2d" }

    public override func convert(to dtype: DType) throws { output = nil; gradInput = nil; lastInput = nil }

    public override func forward(_ x: Tensor) throws -> Tensor {
        let xc = try Window2d.images(x, channels: nil, dtype: x.dtype, layer: description)
        let planes = xc.shape[0] * xc.shape[1], area = xc.shape[2] * xc.shape[3]
        let y = try Buffers.reuse(&output, rows: xc.shape[0], cols: xc.shape[1], dtype: x.dtype)
        switch x.dtype {
        case .float64: GlobalAvgPool2d.means(xc.pointer(Double.self), y.pointer(Double.self), planes, area)
        case .float32: GlobalAvgPool2d.means(xc.pointer(Float.self), y.pointer(Float.self), planes, area)
        }
        lastInput = x
        return y
    }

    public override func backward(_ x: Tensor, _ gradOutput: Tensor) throws -> Tensor {
        let xc = try Window2d.images(x, channels: nil, dtype: x.dtype, layer: description)
        let planes = xc.shape[0] * xc.shape[1], area = xc.shape[2] * xc.shape[3]
        let g = try Window2d.gradient(gradOutput, shape: [xc.shape[0], xc.shape[1]], dtype: x.dtype, layer: description)
        let gx = try Buffers.reuse(&gradInput, shape: xc.shape, dtype: x.dtype)
        switch x.dtype {
        case .float64: GlobalAvgPool2d.spread(g.pointer(Double.self), gx.pointer(Double.self), planes, area)
        case .float32: GlobalAvgPool2d.spread(g.pointer(Float.self), gx.pointer(Float.self), planes, area)
        }
        return gx
    }

    /// Sums in float64 whatever the dtype (a 28 x 28 plane in float32 would lose bits).
    static func means<T: TensorScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ planes: Int, _ area: Int) {
        for k in 0..<planes {
            var s = 0.0
            for i in 0..<area { s += x[k * area + i].double }
            y[k] = T(s / Double(area))
        }
    }

    static func spread<T: TensorScalar>(_ g: UnsafePointer<T>, _ gx: UnsafeMutablePointer<T>, _ planes: Int, _ area: Int) {
        for k in 0..<planes { (gx + k * area).update(repeating: T(g[k].double / Double(area)), count: area) }
    }
}

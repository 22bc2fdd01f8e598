import CKernels

/// The kernel, stride and padding of a 2-D sliding window (convolution, pooling), and the checks
/// of (N, C, H, W) inputs shared by those layers.
public struct Window2d: Equatable, Sendable {
    public let kh: Int, kw: Int, sh: Int, sw: Int, ph: Int, pw: Int

    /// Sizes are capped so that no arithmetic on them (H + 2 padding, products of sizes) can
    /// overflow; real networks use single digits.
    public static let maxSize = 1 << 16

    public init(kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), layer: String) throws {
        for (name, (a, b), least) in [("kernel size", kernel, 1), ("stride", stride, 1), ("padding", padding, 0)] {
            guard a >= least, b >= least, a <= Window2d.maxSize, b <= Window2d.maxSize else {
                throw TensorError("\(layer): \(name) must be between \(least) and \(Window2d.maxSize), got \(a)x\(b)")
            }
        }
        (kh, kw, sh, sw, ph, pw) = (kernel.0, kernel.1, stride.0, stride.1, padding.0, padding.1)
    }

    /// "3x3" or "3" for a square.
    static func pairText(_ a: Int, _ b: Int) -> String { a == b ? "\(a)" : "\(a)x\(b)" }

    /// The geometry for an input plane of h x w, or an error when no window fits.
    func geometry(h: Int, w: Int, layer: String, input: [Int]) throws -> dyn_window {
        guard h + 2 * ph >= kh, w + 2 * pw >= kw else {
            throw TensorError("\(layer): input of shape \(shapeText(input)) is smaller than the \(kh)x\(kw) window (with padding \(Window2d.pairText(ph, pw)))")
        }
        return dyn_window(h: h, w: w, kh: kh, kw: kw, sh: sh, sw: sw, ph: ph, pw: pw,
                          oh: (h + 2 * ph - kh) / sh + 1, ow: (w + 2 * pw - kw) / sw + 1)
    }

    /// x as a contiguous (N, C, H, W) tensor of dtype, with C checked when `channels` is given.
    static func images(_ x: Tensor, channels: Int?, dtype: DType, layer: String) throws -> Tensor {
        guard x.rank == 4 else {
            throw TensorError("\(layer): input must be 4-D (N, C, H, W), got shape \(shapeText(x.shape))")
        }
        if let channels, x.shape[1] != channels {
            throw TensorError("\(layer): input of shape \(shapeText(x.shape)) has \(x.shape[1]) channels, expected \(channels)")
        }
        let t = try x.converted(to: dtype)
        return t.isContiguous ? t : try t.clone()
    }

    /// The gradient of an output of shape `shape`, contiguous and of dtype.
    static func gradient(_ g: Tensor, shape: [Int], dtype: DType, layer: String) throws -> Tensor {
        guard g.shape == shape else {
            throw TensorError("\(layer): backward: gradient of shape \(shapeText(g.shape)) does not match the output shape \(shapeText(shape))")
        }
        let t = try g.converted(to: dtype)
        return t.isContiguous ? t : try t.clone()
    }
}

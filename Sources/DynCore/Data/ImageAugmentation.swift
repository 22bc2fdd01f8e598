/// Random crops of zero-padded images and random horizontal flips, for (N, C, H, W) batches.
///
/// Per image, in this order, from the generator: with `crop` = p > 0, the offsets
/// dy = below(2p + 1) and dx = below(2p + 1) (the window's corner in the image padded by p on
/// every side); with `flip`, one output whose top bit set means "mirrored". Then
///     out[c, i, j] = x[c, i + dy - p, j' + dx - p] (zero outside the image), j' = flip ? W-1-j : j
/// All channels of an image share its draws. The draws depend only on the generator, so a
/// run is reproducible from its seed and a checkpoint of the generator's state.
public struct ImageAugmentation: Equatable, Sendable {
    public let crop: Int
    public let flip: Bool

    public init(crop: Int, flip: Bool, op: String) throws {
        guard crop >= 0, crop <= 1 << 20 else { throw TensorError("\(op): crop must be an integer >= 0 (at most the image size), got \(crop)") }
        self.crop = crop
        self.flip = flip
    }

    /// The generator of a run with this seed: a stream apart from the batch order's (which
    /// train.fit seeds with the same number) and from the global generator.
    public static func generator(seed: UInt64) -> Generator { Generator(seed: seed ^ 0x6175_676D_656E_7421) }

    /// "crop4+flip", for a checkpoint's run settings.
    public var text: String { "crop\(crop)\(flip ? "+flip" : "")" }

    /// Throws unless x is a batch of images no smaller than the crop padding.
    public func check(_ x: Tensor, op: String, name: String = "x") throws {
        guard x.rank == 4 else {
            throw TensorError("\(op): augment needs images of shape (N, C, H, W), got \(name) of shape \(shapeText(x.shape))")
        }
        guard crop <= x.shape[2], crop <= x.shape[3] else {
            throw TensorError("\(op): augment crop = \(crop) is larger than the images (\(x.shape[2])x\(x.shape[3]))")
        }
    }

    /// Writes augmented copies of x's images into `out`, a contiguous tensor of x's shape and dtype.
    public func apply(_ x: Tensor, into out: Tensor, generator g: inout Generator) throws {
        precondition(out.isContiguous && out.shape == x.shape && out.dtype == x.dtype)
        let x = x.isContiguous ? x : try x.clone()
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        switch x.dtype {
        case .float64: kernel(x.pointer(Double.self), out.pointer(Double.self), n, c, h, w, &g)
        case .float32: kernel(x.pointer(Float.self), out.pointer(Float.self), n, c, h, w, &g)
        }
    }

    private func kernel<T: TensorScalar>(_ src: UnsafeMutablePointer<T>, _ dst: UnsafeMutablePointer<T>,
                                         _ n: Int, _ c: Int, _ h: Int, _ w: Int, _ g: inout Generator) {
        let p = crop, plane = h * w
        for s in 0..<n {
            let dy = p > 0 ? g.below(2 * p + 1) - p : 0
            let dx = p > 0 ? g.below(2 * p + 1) - p : 0
            let mirrored = flip && g.next() >> 63 == 1
            // Output columns j whose source column j' + dx lies inside the image.
            let lo = max(0, -dx), hi = min(w, w - dx)
            for ch in 0..<c {
                let from = src + (s * c + ch) * plane, to = dst + (s * c + ch) * plane
                for i in 0..<h {
                    let row = to + i * w, si = i + dy
                    guard si >= 0, si < h, lo < hi else { row.update(repeating: 0, count: w); continue }
                    let source = from + si * w
                    if mirrored {
                        // out[j] = x[W-1-j+dx]: inside for W-1-j in lo..<hi.
                        for j in 0..<w {
                            let k = w - 1 - j
                            row[j] = k >= lo && k < hi ? source[k + dx] : 0
                        }
                    } else {
                        row.update(repeating: 0, count: lo)
                        (row + lo).update(from: source + lo + dx, count: hi - lo)
                        (row + hi).update(repeating: 0, count: w - hi)
                    }
                }
            }
        }
    }
}

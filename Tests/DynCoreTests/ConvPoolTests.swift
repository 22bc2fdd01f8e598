import XCTest
@testable import DynCore

/// Conv2d, AvgPool2d, MaxPool2d and Flatten: against direct loops, closed forms and finite
/// differences (float64), and their errors.
final class ConvPoolTests: XCTestCase {
    /// The definition, one output at a time: y[n,o,oy,ox] = b[o] + sum W[o,c,i,j] x[n,c,oy s - p + i, ox s - p + j].
    func directConv(_ x: Tensor, _ w: Tensor, _ b: Tensor?, _ win: Window2d) -> (y: [Double], shape: [Int]) {
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let o = w.shape[0]
        let oh = (h + 2 * win.ph - win.kh) / win.sh + 1, ow = (wd + 2 * win.pw - win.kw) / win.sw + 1
        var y: [Double] = []
        for s in 0..<n { for q in 0..<o { for oy in 0..<oh { for ox in 0..<ow {
            var v = b?.value(at: [q]) ?? 0
            for ch in 0..<c { for i in 0..<win.kh { for j in 0..<win.kw {
                let yy = oy * win.sh - win.ph + i, xx = ox * win.sw - win.pw + j
                if yy >= 0 && yy < h && xx >= 0 && xx < wd { v += w.value(at: [q, ch, i, j]) * x.value(at: [s, ch, yy, xx]) }
            } } }
            y.append(v)
        } } } }
        return (y, [n, o, oh, ow])
    }

    /// The gradients by direct loops: dx and dW of sum(r * y), db = sums of r.
    func directConvBackward(_ x: Tensor, _ w: Tensor, _ r: Tensor, _ win: Window2d) -> (gx: [Double], gw: [Double], gb: [Double]) {
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, oh, ow) = (w.shape[0], r.shape[2], r.shape[3])
        var gx = [Double](repeating: 0, count: x.count), gw = [Double](repeating: 0, count: w.count)
        var gb = [Double](repeating: 0, count: o)
        for s in 0..<n { for q in 0..<o { for oy in 0..<oh { for ox in 0..<ow {
            let g = r.value(at: [s, q, oy, ox])
            gb[q] += g
            for ch in 0..<c { for i in 0..<win.kh { for j in 0..<win.kw {
                let yy = oy * win.sh - win.ph + i, xx = ox * win.sw - win.pw + j
                guard yy >= 0 && yy < h && xx >= 0 && xx < wd else { continue }
                gx[((s * c + ch) * h + yy) * wd + xx] += w.value(at: [q, ch, i, j]) * g
                gw[((q * c + ch) * win.kh + i) * win.kw + j] += x.value(at: [s, ch, yy, xx]) * g
            } } }
        } } } }
        return (gx, gw, gb)
    }

    /// (N, C, H, W, out, kernel, stride, padding): every stride/padding/remainder case.
    let shapes: [(Int, Int, Int, Int, Int, (Int, Int), (Int, Int), (Int, Int))] = [
        (2, 3, 7, 6, 4, (3, 2), (2, 1), (1, 0)),   // rectangular kernel, remainder rows
        (1, 2, 5, 5, 3, (5, 5), (1, 1), (0, 0)),   // window = input: 1x1 output
        (3, 1, 8, 9, 2, (1, 1), (3, 2), (2, 1)),   // 1x1 kernel, padding wider than the kernel
        (2, 2, 6, 7, 5, (3, 3), (2, 2), (1, 1)),   // the usual padded stride-2 layer
        (1, 3, 4, 4, 2, (2, 3), (3, 3), (0, 2)),   // stride larger than the kernel
        // Stride 1 with as many output as input columns: im2col's one-copy path.
        (2, 3, 5, 6, 4, (3, 3), (1, 1), (1, 1)),   // the usual padded 3x3 layer, widening (dx by col2im)
        (2, 4, 5, 6, 3, (3, 3), (1, 1), (1, 1)),   // the same not widening (dx as a transposed convolution)
        (2, 3, 5, 4, 3, (2, 3), (1, 1), (1, 0)),   // transposed, rectangular, uneven padding
        (1, 2, 4, 5, 3, (3, 5), (1, 1), (1, 2)),   // wide kernel, two padded columns each side
        (2, 2, 6, 4, 3, (2, 3), (1, 1), (0, 1)),   // no row padding: one output row fewer
        (2, 3, 4, 5, 2, (1, 1), (1, 1), (0, 0)),   // 1x1 kernel
        (1, 2, 3, 4, 2, (3, 3), (1, 1), (2, 1)),   // whole output rows in the padding
        (1, 1, 1, 3, 2, (3, 3), (1, 1), (1, 1)),   // one input row: every copy clipped at both ends
        // Several chunks of samples (5 samples of 100 positions: 512 output columns) and a last, shorter one.
        (13, 2, 10, 10, 3, (3, 3), (1, 1), (1, 1)),
    ]

    func testConvMatchesDirectLoopsFloat64() throws {
        for (k, (n, c, h, w, o, kernel, stride, padding)) in shapes.enumerated() {
            let win = try Window2d(kernel: kernel, stride: stride, padding: padding, layer: "test")
            for withBias in [true, false] {
                let conv = try Conv2d(c, o, window: win, bias: withBias)
                let x = try FD.random([n, c, h, w], seed: UInt64(10 + k))
                let y = try conv.forward(x)
                let want = directConv(x, conv.weight, conv.bias, win)
                XCTAssertEqual(y.shape, want.shape, "case \(k)")
                XCTAssertLessThanOrEqual(zip(y.toArray(), want.y).map { abs($0 - $1) }.max()!, 1e-12, "case \(k)")
                let r = try FD.random(y.shape, seed: UInt64(40 + k))
                conv.zeroGrad()
                let gx = try conv.backward(x, r)
                let d = directConvBackward(x, conv.weight, r, win)
                XCTAssertLessThanOrEqual(zip(gx.toArray(), d.gx).map { abs($0 - $1) }.max()!, 1e-12, "dx case \(k)")
                XCTAssertLessThanOrEqual(zip(conv.gradWeight.toArray(), d.gw).map { abs($0 - $1) }.max()!, 1e-12, "dW case \(k)")
                if withBias {
                    XCTAssertLessThanOrEqual(zip(conv.gradBias!.toArray(), d.gb).map { abs($0 - $1) }.max()!, 1e-12, "db case \(k)")
                }
            }
        }
    }

    /// More chunks than one wave (32 chunks: samples of more than 512 output positions are a
    /// chunk each): the batch agrees with the samples run one at a time, outputs and input
    /// gradients to the bit, parameter gradients (summed over 35 samples) to rounding.
    func testManyChunksMatchSamplesOneAtATime() throws {
        let win = try Window2d(kernel: (3, 3), stride: (1, 1), padding: (1, 1), layer: "t")
        let conv = try Conv2d(1, 2, window: win)
        let n = 35
        let x = try FD.random([n, 1, 46, 46], seed: 21), r = try FD.random([n, 2, 46, 46], seed: 22)
        let y = try conv.forward(x).toArray()
        conv.zeroGrad()
        let gx = try conv.backward(x, r).toArray()
        let gw = conv.gradWeight.toArray(), gb = conv.gradBias!.toArray()
        conv.zeroGrad()
        var ys: [Double] = [], gxs: [Double] = []
        for s in 0..<n {
            let xs = try x.narrow(0, start: s, length: 1), rs = try r.narrow(0, start: s, length: 1)
            ys += try conv.forward(xs).toArray()
            gxs += try conv.backward(xs, rs).toArray()
        }
        XCTAssertEqual(y, ys)
        XCTAssertEqual(gx, gxs)
        XCTAssertLessThanOrEqual(zip(gw, conv.gradWeight.toArray()).map { abs($0 - $1) }.max()!, 1e-12)
        XCTAssertLessThanOrEqual(zip(gb, conv.gradBias!.toArray()).map { abs($0 - $1) }.max()!, 1e-12)
    }

    func testConvFiniteDifferences() throws {
        let win = try Window2d(kernel: (3, 2), stride: (2, 1), padding: (1, 1), layer: "test")
        try FD.checkModule(try Conv2d(2, 3, window: win), input: FD.random([2, 2, 5, 4], seed: 3))
        try FD.checkModule(try Conv2d(2, 3, window: win, bias: false), input: FD.random([1, 2, 5, 4], seed: 4))
    }

    /// Gradients accumulate across calls, as for every layer (the optimizer zeroes them).
    func testConvGradientsAccumulate() throws {
        let conv = try Conv2d(1, 2, window: try Window2d(kernel: (2, 2), stride: (1, 1), padding: (0, 0), layer: "t"))
        let x = try FD.random([2, 1, 3, 3], seed: 5), r = try FD.random([2, 2, 2, 2], seed: 6)
        conv.zeroGrad()
        _ = try conv.backward(x, r)
        let once = conv.gradWeight.toArray()
        _ = try conv.backward(x, r)
        // Equal to twice the first up to rounding (samples are added one at a time).
        assertTensor(conv.gradWeight, once.map { 2 * $0 }, shape: [2, 1, 2, 2], tol: 1e-15)
    }

    func testFloat32AgreesWithFloat64() throws {
        let win = try Window2d(kernel: (3, 3), stride: (1, 1), padding: (1, 1), layer: "t")
        let conv = try Conv2d(2, 3, window: win)
        let x = try FD.random([2, 2, 6, 5], seed: 7)
        let y64 = try conv.forward(x).toArray()
        try conv.convert(to: .float32)
        XCTAssertEqual(conv.weight.dtype, .float32)
        let y32 = try conv.forward(try x.converted(to: .float32))
        XCTAssertEqual(y32.dtype, .float32)
        XCTAssertLessThanOrEqual(zip(y32.toArray(), y64).map { abs($0 - $1) }.max()!, 1e-5)
        let gx = try conv.backward(try x.converted(to: .float32), try Tensor(filled: 1, shape: y32.shape, dtype: .float32))
        XCTAssertEqual(gx.dtype, .float32)
    }

    func testPoolingClosedForms() throws {
        let x = try T((1...16).map(Double.init), [1, 1, 4, 4])
        assertTensor(try Pool2d(.average, kernel: 2).forward(x), [3.5, 5.5, 11.5, 13.5], shape: [1, 1, 2, 2])
        assertTensor(try Pool2d(.max, kernel: 2).forward(x), [6, 8, 14, 16], shape: [1, 1, 2, 2])
        // Overlapping windows (stride 1): each output's gradient goes to its window's maximum,
        // the bottom-right element; 6, 7, 10, 11 are each the maximum of one window.
        let pool = try Pool2d(.max, kernel: 2, stride: 1)
        XCTAssertEqual(try pool.forward(x).shape, [1, 1, 3, 3])
        let gx = try pool.backward(x, try Tensor(filled: 1, shape: [1, 1, 3, 3]))
        assertTensor(gx, [0, 0, 0, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1], shape: [1, 1, 4, 4])
        // Average with stride 1: each interior element is in 4 windows, a corner in 1.
        let avg = try Pool2d(.average, kernel: 2, stride: 1)
        _ = try avg.forward(x)
        let ga = try avg.backward(x, try Tensor(filled: 1, shape: [1, 1, 3, 3]))
        assertTensor(ga, [1, 2, 2, 1, 2, 4, 4, 2, 2, 4, 4, 2, 1, 2, 2, 1].map { $0 / 4 }, shape: [1, 1, 4, 4])
        // A remainder row and column (5x5, k 2) are left out.
        XCTAssertEqual(try Pool2d(.average, kernel: 2).forward(try FD.random([2, 3, 5, 5], seed: 1)).shape, [2, 3, 2, 2])
        // NaN propagates through the max.
        let nan = try T([1, .nan, 3, 2], [1, 1, 2, 2])
        XCTAssertTrue(try Pool2d(.max, kernel: 2).forward(nan).toArray()[0].isNaN)
    }

    func testPoolingAndFlattenFiniteDifferences() throws {
        try FD.checkModule(try Pool2d(.average, kernel: 2), input: FD.random([2, 3, 5, 4], seed: 8))
        try FD.checkModule(try Pool2d(.average, kernel: 3, stride: 2), input: FD.random([1, 2, 7, 6], seed: 9))
        try FD.checkModule(try Pool2d(.max, kernel: 2), input: FD.random([2, 2, 4, 6], seed: 10))
        try FD.checkModule(try Pool2d(.max, kernel: 3, stride: 1), input: FD.random([1, 2, 5, 5], seed: 11))
        try FD.checkModule(Flatten(), input: FD.random([3, 2, 2, 3], seed: 12))
    }

    func testSmallCNNFiniteDifferences() throws {
        let net = try Sequential([
            try Conv2d(1, 3, window: try Window2d(kernel: (3, 3), stride: (1, 1), padding: (1, 1), layer: "t")), Tanh(),
            try Pool2d(.average, kernel: 2),
            try Conv2d(3, 2, window: try Window2d(kernel: (2, 2), stride: (1, 1), padding: (0, 0), layer: "t")), Tanh(),
            try Pool2d(.max, kernel: 2), Flatten(), try Linear(2, 3), LogSoftmax(),
        ])
        try FD.checkModule(net, input: FD.random([2, 1, 6, 6], seed: 13))
    }

    func testFlattenShapes() throws {
        let x = try FD.random([2, 3, 4, 5], seed: 1)
        let f = Flatten()
        let y = try f.forward(x)
        XCTAssertEqual(y.shape, [2, 60])
        XCTAssertEqual(y.toArray(), x.toArray())
        // A strided input is copied first.
        let t = try x.transpose(2, 3)
        XCTAssertEqual(try f.forward(t).toArray(), try t.clone().toArray())
        assertTensorError("Flatten: input must have at least 2 dimensions (samples first), got shape (4)") { try f.forward(try FD.random([4], seed: 2)) }
        assertTensorError("Flatten: backward: gradient of shape (2x59) does not match the output shape (2x60)") {
            try f.backward(x, try FD.random([2, 59], seed: 3))
        }
    }

    func testErrors() throws {
        let conv = try Conv2d(2, 3, window: try Window2d(kernel: (3, 3), stride: (1, 1), padding: (0, 0), layer: "t"))
        assertTensorError("Conv2d(2 -> 3, 3x3): input must be 4-D (N, C, H, W), got shape (2x18)") { try conv.forward(try FD.random([2, 18], seed: 1)) }
        assertTensorError("Conv2d(2 -> 3, 3x3): input of shape (1x3x5x5) has 3 channels, expected 2") { try conv.forward(try FD.random([1, 3, 5, 5], seed: 1)) }
        assertTensorError("Conv2d(2 -> 3, 3x3): input of shape (1x2x2x5) is smaller than the 3x3 window (with padding 0)") { try conv.forward(try FD.random([1, 2, 2, 5], seed: 1)) }
        let x = try FD.random([1, 2, 4, 4], seed: 1)
        assertTensorError("Conv2d(2 -> 3, 3x3): backward: gradient of shape (1x3x2x3) does not match the output shape (1x3x2x2)") {
            try conv.backward(x, try FD.random([1, 3, 2, 3], seed: 2))
        }
        assertTensorError("test: stride must be between 1 and 65536, got 0x1") {
            try Window2d(kernel: (1, 1), stride: (0, 1), padding: (0, 0), layer: "test")
        }
        assertTensorError("test: padding must be between 0 and 65536, got -1x0") {
            try Window2d(kernel: (1, 1), stride: (1, 1), padding: (-1, 0), layer: "test")
        }
        assertTensorError("MaxPool2d(3): input of shape (1x1x2x2) is smaller than the 3x3 window (with padding 0)") {
            try Pool2d(.max, kernel: 3).forward(try FD.random([1, 1, 2, 2], seed: 1))
        }
        // Zero samples: an empty output of the right shape.
        XCTAssertEqual(try conv.forward(try Tensor(zeros: [0, 2, 4, 4])).shape, [0, 3, 2, 2])
    }
}

/// The training loop's minibatch gathering on (N, C, H, W) images, contiguous and strided.
final class ImageBatchTests: XCTestCase {
    func testGatherCopiesWholeImages() throws {
        let x = try FD.random([5, 2, 3, 4], seed: 1)
        let labels = [0, 1, 2, 3, 4]
        var buffers = BatchBuffers()
        for source in [x, try x.transpose(2, 3).clone().transpose(2, 3)] {
            XCTAssertEqual(source.isContiguous, source === x)
            let (bx, by) = try buffers.gather(source, labels, rows: [3, 0, 4][...])
            XCTAssertEqual(bx.shape, [3, 2, 3, 4])
            XCTAssertEqual(by, [3, 0, 4])
            for (k, r) in [3, 0, 4].enumerated() {
                XCTAssertEqual(try bx.select(0, k).clone().toArray(), try x.select(0, r).clone().toArray(), "sample \(r)")
            }
        }
    }
}

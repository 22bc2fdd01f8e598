import Foundation
import XCTest
@testable import DynCore

final class NNModuleTests: XCTestCase {
    override func tearDown() { Generator.global = Generator(seed: 0) }

    func testLinearForwardValues() throws {
        let m = try Linear(weight: Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6]), bias: Tensor(shape: [3], values: [0.5, -1, 2]))
        let y = try m.forward(Tensor(shape: [2, 2], values: [1, 0, -1, 2]))
        // Hand-computed: [1,0] W + b = [1.5, 1, 5]; [-1,2] W + b = [7.5, 7, 11].
        XCTAssertEqual(y.toArray(), [1.5, 1, 5, 7.5, 7, 11])
        XCTAssertEqual(try m.forward(Tensor(shape: [2], values: [1, 0])).toArray(), [1.5, 1, 5])
        let noBias = try Linear(weight: m.weight, bias: nil)
        XCTAssertEqual(try noBias.forward(Tensor(shape: [1, 2], values: [-1, 2])).toArray(), [7, 8, 9])
        XCTAssertThrowsError(try m.forward(Tensor(zeros: [4, 3]))) {
            XCTAssertEqual(($0 as! TensorError).message, "Linear(2 -> 3): input of shape (4x3) should have 2 columns (rows are samples)")
        }
    }

    /// NaN goes through the ReLU as through t:relu(), in every path a ReLU takes: alone (both
    /// dtypes), fused after a skinny Linear, after a BLAS Linear. Finite values are cut at 0.
    func testReLUKeepsNaN() throws {
        for dtype in [DType.float64, .float32] {
            let y = try ReLU().forward(T([.nan, -1, 0, 2, -.infinity, .infinity], [6], dtype)).toArray()
            XCTAssertTrue(y[0].isNaN, "\(dtype): relu(NaN) = \(y[0])")
            XCTAssertEqual(Array(y[1...]), [0, 0, 2, 0, .infinity], "\(dtype)")
            // The same bits as t:relu(), -0 included (both keep it: x < 0 ? 0 : x).
            let z = try T([-0.0, .nan, -3, 4], [4], dtype)
            XCTAssertEqual(try ReLU().forward(z).toArray().map(\.bitPattern), try z.map(.relu).toArray().map(\.bitPattern), "\(dtype)")
        }
        for (k, m) in [(2, 3), (12, 20)] {  // skinny (Linear+ReLU in one kernel) and BLAS
            let w = try Tensor(shape: [k, m], values: (0..<(k * m)).map { Double($0 % 5) - 2 })
            let net = try Sequential([try Linear(weight: w, bias: nil), ReLU()])
            let x = try Tensor(shape: [2, k], values: (0..<(2 * k)).map { $0 == 0 ? .nan : 1 })
            let y = try net.forward(x).toArray()
            // Row 1 holds NaN in its first input, so every output of that row is NaN; row 2 is
            // the ReLU of the column sums of w.
            XCTAssertTrue(y[0..<m].allSatisfy(\.isNaN), "\(k) -> \(m): \(y[0..<m])")
            let sums = (0..<m).map { j in (0..<k).reduce(0.0) { $0 + w.value(at: [$1, j]) } }
            XCTAssertEqual(Array(y[m...]), sums.map { Swift.max($0, 0) }, "\(k) -> \(m)")
        }
    }

    func testBuffersAreReusedWhileShapesStay() throws {
        var g = Generator(seed: 1)
        let net = try Sequential([try Linear(2, 4, generator: &g), ReLU(), try Linear(4, 3, generator: &g)])
        let x = try FD.random([5, 2], seed: 2)
        let y1 = try net.forward(x), g1 = try net.backward(x, y1.clone())
        let y2 = try net.forward(x), g2 = try net.backward(x, y2.clone())
        XCTAssertTrue(y1 === y2)
        XCTAssertTrue(g1 === g2)
        let y3 = try net.forward(FD.random([6, 2], seed: 3))
        XCTAssertEqual(y3.shape, [6, 3])
        XCTAssertFalse(y3 === y1)
    }

    func testTrainingStepAllocatesNoTensorStorage() throws {
        // forward, fused loss evaluation, backward and a weight change, as train.fit runs them.
        var g = Generator(seed: 4)
        let net = try Sequential([try Linear(2, 100, generator: &g), ReLU(), try Linear(100, 3, generator: &g)])
        let loss = try CrossEntropyLoss(weights: [1, 1, 1])
        let x = try FD.random([300, 2], seed: 5)
        let labels = (0..<300).map { $0 % 3 }
        let grad = try Tensor(uninitialized: [300, 3])
        let weights = try Tensor(shape: [3], values: [1, 2, 3])
        func step() throws {
            let out = try net.forward(x)
            try loss.setWeights(weights)
            _ = try loss.evaluate(out, labels: labels, gradient: grad)
            _ = try net.backward(x, grad)
        }
        try step()
        let live = Storage.liveBytes
        Storage.resetPeak()
        for _ in 0..<20 { try step() }
        XCTAssertEqual(Storage.liveBytes, live)
        XCTAssertEqual(Storage.peakBytes, live)
    }

    /// Sample mean and standard deviation.
    func stats(_ v: [Double]) -> (Double, Double) {
        let mean = v.reduce(0, +) / Double(v.count)
        let variance = v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(v.count - 1)
        return (mean, variance.squareRoot())
    }

    func testInitStatistics() throws {
        // 200,000 draws: the standard error of the std is about 0.16%, of the mean 0.2% of std.
        let nIn = 400, nOut = 500
        let cases: [(WeightInit, Double)] = [(.glorotNormal, (2.0 / 900).squareRoot()), (.lecunNormal, (1.0 / 400).squareRoot()),
                                             (.heNormal, (2.0 / 400).squareRoot()), (.uniform, (1.0 / 400).squareRoot() / 3.0.squareRoot())]
        for (scheme, std) in cases {
            let m = try Linear(nIn, nOut, init: scheme)
            let (mean, s) = stats(m.weight.toArray())
            XCTAssertEqual(mean, 0, accuracy: 0.01 * std, "\(scheme) mean")
            XCTAssertEqual(s, std, accuracy: 0.01 * std, "\(scheme) std")
        }
        let u = try Linear(nIn, nOut, init: .uniform).weight.toArray()
        XCTAssertLessThanOrEqual(u.map(abs).max()!, 1 / 20.0)
        XCTAssertGreaterThan(u.map(abs).max()!, 0.99 / 20.0)
        let b = try Linear(1, 100_000).bias!.toArray()
        let (bm, bs) = stats(b)
        XCTAssertEqual(bm, 0, accuracy: 1e-4)
        XCTAssertEqual(bs, 0.01, accuracy: 0.0002)
    }

    func testDrawOrderAndSeedDeterminism() throws {
        Generator.global = Generator(seed: 42)
        let a = try Linear(3, 2)
        // The documented order: weight row-major (one normal each), then bias.
        var g = Generator(seed: 42)
        let s = (2.0 / 5).squareRoot()
        let w = (0..<6).map { _ in s * g.normal() }
        let b = (0..<2).map { _ in 0.01 * g.normal() }
        XCTAssertEqual(a.weight.toArray(), w)
        XCTAssertEqual(a.bias!.toArray(), b)
        var gu = Generator(seed: 42)
        Generator.global = Generator(seed: 42)
        let u = try Linear(4, 1, init: .uniform, bias: false)
        XCTAssertEqual(u.weight.toArray(), (0..<4).map { _ in (2 * gu.uniform() - 1) / 2 })
        Generator.global = Generator(seed: 42)
        XCTAssertEqual(try Linear(3, 2).flatParameters().toArray(), try a.flatParameters().toArray())
        Generator.global = Generator(seed: 43)
        XCTAssertNotEqual(try Linear(3, 2).flatParameters().toArray(), try a.flatParameters().toArray())
    }

    func testParametersAreStableAndShareMemory() throws {
        let m = try Sequential([try Linear(2, 3), Tanh(), try Linear(3, 1, bias: false)])
        let p1 = m.parameters, p2 = m.parameters
        XCTAssertEqual(p1.count, 3)
        for k in 0..<3 { XCTAssertTrue(p1[k] === p2[k]); XCTAssertTrue(m.gradients[k] === m.gradients[k]) }
        XCTAssertEqual(p1.map(\.shape), [[2, 3], [3], [3, 1]])
        XCTAssertEqual(m.gradients.map(\.shape), [[2, 3], [3], [3, 1]])
        XCTAssertEqual(m.numParameters, 6 + 3 + 3)
        p1[2].fill(0)
        XCTAssertEqual(try m.forward(FD.random([4, 2], seed: 1)).toArray(), [0, 0, 0, 0])
        XCTAssertTrue((m.modules[0] as! Linear).field("weight")! === p1[0])
        XCTAssertTrue((m.modules[0] as! Linear).field("grad_bias")! === m.gradients[1])
        XCTAssertNil((m.modules[2] as! Linear).field("bias"))
    }

    func testFlatParametersRoundTrip() throws {
        let m = try Sequential([try Linear(2, 3), ReLU(), try Linear(3, 2)])
        let flat = try m.flatParameters()
        XCTAssertEqual(flat.shape, [17])
        XCTAssertEqual(Array(flat.toArray()[0..<6]), m.parameters[0].toArray())
        let v = try Tensor(shape: [17], values: (0..<17).map { Double($0) / 10 })
        try m.setFlatParameters(v)
        XCTAssertEqual(try m.flatParameters().toArray(), v.toArray())
        XCTAssertEqual(m.parameters[1].toArray(), [0.6, 0.7, 0.8])
        XCTAssertThrowsError(try m.setFlatParameters(Tensor(zeros: [16]))) {
            XCTAssertEqual(($0 as! TensorError).message, "set_flat_parameters: expected a 1-D tensor of 17 values, got shape (16)")
        }
    }

    func testConvertToFloat32() throws {
        let m = try Sequential([try Linear(2, 3), Sigmoid(), try Linear(3, 2), LogSoftmax()])
        let x = try FD.random([4, 2], seed: 5)
        let y64 = try m.forward(x).toArray()
        try m.convert(to: .float32)
        XCTAssertEqual(m.parameters.map(\.dtype), [.float32, .float32, .float32, .float32])
        XCTAssertEqual(m.gradients.map(\.dtype), [.float32, .float32, .float32, .float32])
        XCTAssertEqual(m.dtype, .float32)
        let y32 = try m.forward(x)
        XCTAssertEqual(y32.dtype, .float32)
        for (a, b) in zip(y32.toArray(), y64) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        let gx = try m.backward(x, Tensor(filled: 1, shape: [4, 2], dtype: .float32))
        XCTAssertEqual(gx.dtype, .float32)
        XCTAssertTrue(m.description.contains("Linear(2 -> 3, float32)"))
        try m.convert(to: .float64)
        XCTAssertEqual(m.dtype, .float64)
    }

    func testDescriptionShowsTheTree() throws {
        let m = try Sequential([try Linear(2, 100), ReLU(), try Linear(100, 3)])
        XCTAssertEqual(m.description, "Sequential(\n  (1): Linear(2 -> 100)\n  (2): ReLU\n  (3): Linear(100 -> 3)\n)")
        let nested = try Sequential([try Sequential([try Linear(2, 2, bias: false), Softmax()]), Identity()])
        XCTAssertEqual(nested.description,
                       "Sequential(\n  (1): Sequential(\n    (1): Linear(2 -> 2, no bias)\n    (2): Softmax\n  )\n  (2): Identity\n)")
        XCTAssertEqual(try Sequential().description, "Sequential()")
    }

    func testSequentialRejectsCyclesAndDuplicates() throws {
        let relu = ReLU()
        let s = try Sequential([relu])
        XCTAssertThrowsError(try s.add(s))
        XCTAssertThrowsError(try s.add(relu)) {
            XCTAssertEqual(($0 as! TensorError).message, "Sequential.add: ReLU is already part of this Sequential (a module may appear only once)")
        }
        let outer = try Sequential([s])
        XCTAssertThrowsError(try s.add(outer)) {
            XCTAssertEqual(($0 as! TensorError).message, "Sequential.add: a container cannot be added to itself or to one of its own children")
        }
    }

    func testTrainingModeReachesChildren() throws {
        let inner = Tanh()
        let m = try Sequential([try Sequential([inner])])
        m.setTraining(false)
        XCTAssertFalse(inner.isTraining)
        m.setTraining(true)
        XCTAssertTrue(inner.isTraining)
    }

    func testSoftmaxValues() throws {
        // softmax([1, 2, 3]) = e^k / (e + e^2 + e^3), closed form.
        let z = exp(1.0) + exp(2.0) + exp(3.0)
        let y = try Softmax().forward(Tensor(shape: [1, 3], values: [1, 2, 3])).toArray()
        XCTAssertEqual(y[0], exp(1.0) / z, accuracy: 1e-15)
        XCTAssertEqual(y[2], exp(3.0) / z, accuracy: 1e-15)
        let l = try LogSoftmax().forward(Tensor(shape: [1, 2], values: [1000, 0])).toArray()
        XCTAssertEqual(l[0], 0, accuracy: 1e-12)
        XCTAssertEqual(l[1], -1000, accuracy: 1e-9)
    }
}

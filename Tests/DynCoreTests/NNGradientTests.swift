import Foundation
import XCTest
@testable import DynCore

/// Every module's backward against central finite differences in float64.
final class NNGradientTests: XCTestCase {
    func testLinearGradients() throws {
        var g = Generator(seed: 1)
        try FD.checkModule(try Linear(4, 3, generator: &g), input: FD.random([5, 4], seed: 2))
        try FD.checkModule(try Linear(4, 3, bias: false, generator: &g), input: FD.random([5, 4], seed: 3))
        // One sample as a 1-D input.
        try FD.checkModule(try Linear(4, 2, generator: &g), input: FD.random([4], seed: 4))
    }

    func testLinearGradientWithStridedInput() throws {
        var g = Generator(seed: 1)
        let m = try Linear(3, 2, generator: &g)
        // A transposed view: rows are not contiguous, gemm must read it through strides.
        let x = try FD.random([3, 6], seed: 5).t()
        let r = try FD.random([6, 2], seed: 6)
        let gx = try m.backward(x, r).toArray()
        let xc = try x.clone()
        let numeric = try FD.gradient(of: { FD.dot(try m.forward(xc), r) }, wrt: xc)
        XCTAssertLessThanOrEqual(FD.relativeError(gx, numeric), 1e-6)
    }

    func testElementwiseActivationGradients() throws {
        // Inputs kept away from ReLU's kink at 0 so that the differences do not straddle it.
        let magnitudes = try FD.random([4, 5], seed: 7, 0.1, 2)
        let signs = try Tensor.binary(.ge, FD.random([4, 5], seed: 8), scalar: 0).mul(scalar: 2).add(scalar: -1)
        let x = try Tensor.binary(.mul, magnitudes, signs)
        XCTAssertTrue(x.toArray().contains { $0 < 0 } && x.toArray().contains { $0 > 0 })
        for m: Module in [ReLU(), Tanh(), Sigmoid(), Identity()] {
            try FD.checkModule(m, input: x)
        }
    }

    func testSoftmaxGradients() throws {
        try FD.checkModule(Softmax(), input: FD.random([3, 4], seed: 9, -3, 3))
        try FD.checkModule(LogSoftmax(), input: FD.random([3, 4], seed: 10, -3, 3))
        // 3-D input: along the last dimension.
        try FD.checkModule(LogSoftmax(), input: FD.random([2, 3, 4], seed: 11, -3, 3))
    }

    func testSequentialGradients() throws {
        var g = Generator(seed: 12)
        let net = try Sequential([try Linear(3, 6, generator: &g), Tanh(), try Linear(6, 5, generator: &g),
                                  Sigmoid(), try Linear(5, 4, generator: &g), LogSoftmax()])
        try FD.checkModule(net, input: FD.random([7, 3], seed: 13))
        // Nested containers.
        let outer = try Sequential([try Sequential([try Linear(2, 3, generator: &g), ReLU()]), try Linear(3, 2, generator: &g), Softmax()])
        try FD.checkModule(outer, input: FD.random([5, 2], seed: 14, 0.5, 1.5))
    }

    func testWeightedLossThroughNetwork() throws {
        // d(weighted cross-entropy)/d(parameters) for a whole model, as train.fit uses it.
        var g = Generator(seed: 15)
        let net = try Sequential([try Linear(2, 8, generator: &g), Tanh(), try Linear(8, 3, generator: &g)])
        let x = try FD.random([6, 2], seed: 16)
        let labels = [0, 2, 1, 1, 0, 2]
        for loss in [try CrossEntropyLoss(weights: [0.5, 2, 1.25]), try MSELoss(weights: [3, 1, 0.2]) as Loss] {
            let f = { try loss.forward(try net.forward(x), labels: labels) }
            net.zeroGrad()
            let out = try net.forward(x)
            _ = try net.backward(x, try loss.backward(out, labels: labels))
            let analytic = try net.flatGradients().toArray()
            let numeric = try net.parameters.flatMap { try FD.gradient(of: f, wrt: $0) }
            XCTAssertLessThanOrEqual(FD.relativeError(analytic, numeric), 1e-6, loss.name)
        }
    }

    func testBackwardAccumulatesParameterGradients() throws {
        var g = Generator(seed: 17)
        let m = try Linear(3, 2, generator: &g)
        let x = try FD.random([4, 3], seed: 18), r = try FD.random([4, 2], seed: 19)
        _ = try m.forward(x)
        _ = try m.backward(x, r)
        let once = try m.flatGradients().toArray()
        _ = try m.backward(x, r)
        let twice = try m.flatGradients().toArray()
        for i in 0..<once.count { XCTAssertEqual(twice[i], 2 * once[i], accuracy: 1e-14 * max(1, abs(once[i]))) }
        m.zeroGrad()
        XCTAssertEqual(try m.flatGradients().toArray(), [Double](repeating: 0, count: once.count))
    }

    func testBackwardOnAnotherInputRunsForwardFirst() throws {
        // Tanh's backward uses the saved output; given an input it did not see, it must not use
        // a stale one.
        let m = Tanh()
        let a = try FD.random([2, 3], seed: 20), b = try FD.random([2, 3], seed: 21)
        let ones = try Tensor(filled: 1, shape: [2, 3])
        _ = try m.forward(a)
        let gb = try m.backward(b, ones).toArray()
        let want = b.toArray().map { 1 - Foundation.tanh($0) * Foundation.tanh($0) }
        for i in 0..<want.count { XCTAssertEqual(gb[i], want[i], accuracy: 1e-15) }
        // And backward before any forward works too.
        let fresh = try Sequential([Sigmoid()])
        XCTAssertEqual(try fresh.backward(a, ones).shape, [2, 3])
    }
}

extension Tensor {
    func add(scalar s: Double) -> Tensor { try! Tensor.binary(.add, self, scalar: s) }
    func mul(scalar s: Double) -> Tensor { try! Tensor.binary(.mul, self, scalar: s) }
}

/// Finite-difference helpers shared by the nn and loss tests.
enum FD {
    /// A float64 tensor of the given shape, uniform in [lo, hi), from its own seeded generator.
    static func random(_ shape: [Int], seed: UInt64, _ lo: Double = -1, _ hi: Double = 1) throws -> Tensor {
        var g = Generator(seed: seed)
        let t = try Tensor(uninitialized: shape)
        t.fillEach { lo + (hi - lo) * g.uniform() }
        return t
    }

    /// Central difference of f with respect to every element of t (t is perturbed in place and
    /// restored), step h.
    static func gradient(of f: () throws -> Double, wrt t: Tensor, h: Double = 1e-5) rethrows -> [Double] {
        var out: [Double] = []
        let p = t.pointer(Double.self)
        precondition(t.isContiguous)
        for i in 0..<t.count {
            let v = p[i]
            p[i] = v + h
            let up = try f()
            p[i] = v - h
            let down = try f()
            p[i] = v
            out.append((up - down) / (2 * h))
        }
        return out
    }

    /// ||a - b|| / max(||a||, ||b||, 1e-12): the relative error the tests bound by 1e-6.
    static func relativeError(_ a: [Double], _ b: [Double]) -> Double {
        precondition(a.count == b.count)
        var d = 0.0, na = 0.0, nb = 0.0
        for i in 0..<a.count { d += (a[i] - b[i]) * (a[i] - b[i]); na += a[i] * a[i]; nb += b[i] * b[i] }
        return d.squareRoot() / max(na.squareRoot(), nb.squareRoot(), 1e-12)
    }

    /// sum(output * weights): a scalar whose gradient with respect to the output is `weights`.
    static func dot(_ a: Tensor, _ b: Tensor) -> Double {
        zip(a.toArray(), b.toArray()).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// Checks a module's input gradient and parameter gradients against central differences of
    /// the scalar sum(forward(x) * r) for a fixed random r.
    static func checkModule(_ m: Module, input x: Tensor, seed: UInt64 = 99, file: StaticString = #filePath, line: UInt = #line) throws {
        let y = try m.forward(x)
        let r = try random(y.shape, seed: seed)
        let f = { FD.dot(try m.forward(x), r) }
        m.zeroGrad()
        _ = try m.forward(x)
        let gx = try m.backward(x, r).toArray()
        let numeric = try gradient(of: f, wrt: x)
        let ex = relativeError(gx, numeric)
        XCTAssertLessThanOrEqual(ex, 1e-6, "\(m.description): input gradient, relative error \(ex)", file: file, line: line)
        let analytic = m.gradients.map { $0.toArray() }
        for (k, p) in m.parameters.enumerated() {
            let e = relativeError(analytic[k], try gradient(of: f, wrt: p))
            XCTAssertLessThanOrEqual(e, 1e-6, "\(m.description): parameter \(k + 1) gradient, relative error \(e)", file: file, line: line)
        }
    }
}

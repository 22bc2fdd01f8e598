import XCTest
@testable import DynCore

/// The fused training step of a skinny 2-layer ReLU network (train.fit's fast path) against the
/// module-by-module path a hand-written loop takes: logits, loss sums and every parameter
/// gradient must be the same bits.
final class FusedMLPStepTests: XCTestCase {
    private func bits(_ t: Tensor) -> [UInt64] { t.toArray().map { $0.bitPattern } }

    /// Fails with the first differing element (not a dump of both arrays). Two NaNs count as
    /// the same: which operand's payload an instruction keeps is the compiler's choice.
    private func assertSameBits(_ a: [UInt64], _ b: [UInt64], _ what: String, line: UInt = #line) {
        let differs = { (x: UInt64, y: UInt64) in x != y && !(Double(bitPattern: x).isNaN && Double(bitPattern: y).isNaN) }
        guard a.count == b.count else { return XCTFail("\(what): \(a.count) values, expected \(b.count)", line: line) }
        guard let i = a.indices.first(where: { differs(a[$0], b[$0]) }) else { return }
        let differing = zip(a, b).filter { differs($0, $1) }.count
        XCTFail("\(what): \(differing) of \(a.count) values differ; first at \(i): \(Double(bitPattern: a[i])) vs \(Double(bitPattern: b[i]))", line: line)
    }

    private func network(_ k: Int, _ h: Int, _ m: Int, bias: Bool, seed: UInt64) throws -> Sequential {
        try network(k, h, m, biases: (bias, bias), seed: seed)
    }

    private func network(_ k: Int, _ h: Int, _ m: Int, biases: (Bool, Bool), seed: UInt64) throws -> Sequential {
        var g = Generator(seed: seed)
        return try Sequential([try Linear(k, h, bias: biases.0, generator: &g), ReLU(),
                               try Linear(h, m, bias: biases.1, generator: &g)])
    }

    /// Shapes cover every register-block remainder of the padded hidden layer (h mod 32), hidden
    /// widths that are and are not whole vectors, every slice remainder, k and m from 1 to 8,
    /// either layer without bias, class weights, a row-strided input, infinite inputs and NaN.
    func testSameBitsAsModuleByModule() throws {
        let cases: [(n: Int, k: Int, h: Int, m: Int, b1: Bool, b2: Bool, weighted: Bool)] = [
            (300, 2, 100, 3, true, true, true), (1, 1, 9, 2, true, true, false), (37, 3, 17, 4, false, false, true),
            (64, 8, 33, 8, true, true, true), (60, 2, 16, 3, true, true, false), (29, 5, 24, 7, true, false, true),
            (100, 4, 57, 1, false, false, false), (31, 6, 130, 5, false, true, true), (257, 7, 64, 6, true, true, true),
            (90, 2, 43, 3, true, true, true), (45, 3, 21, 2, true, true, true)]
        for (s, c) in cases.enumerated() {
            let what = "case \(s + 1): \(c.n) x \(c.k) -> \(c.h) -> \(c.m)"
            let model = try network(c.k, c.h, c.m, biases: (c.b1, c.b2), seed: UInt64(10 + s))
            // Every other case reads x as a row-strided view (the first k of k + 2 columns).
            let wide = try FD.random([c.n, c.k + 2], seed: UInt64(30 + s), -2, 2)
            let x = s % 2 == 0 ? try FD.random([c.n, c.k], seed: UInt64(30 + s), -2, 2) : try wide.narrow(1, start: 0, length: c.k)
            if s == cases.count - 2 {
                // Infinite inputs: NaN in padded lanes (inf * 0) must stay out of the results.
                // With input 2's weights all positive, row 6's hidden units are all -inf, cut
                // to 0 by the ReLU: its logits are the finite bias, as module by module.
                x.setValue(.infinity, at: [0, 0])
                x.setValue(-.infinity, at: [5, 1])
                let w1 = (model.modules[0] as! Linear).weight
                for j in 0..<c.h { w1.setValue(Swift.abs(w1.value(at: [1, j])) + 0.1, at: [1, j]) }
            }
            if s == cases.count - 1 {
                // NaN in an input row and in a hidden unit's weight: the ReLU keeps NaN in both paths.
                x.setValue(.nan, at: [3, 1])
                (model.modules[0] as! Linear).weight.setValue(.nan, at: [2, 5])
            }
            var g = Generator(seed: UInt64(50 + s))
            let labels = (0..<c.n).map { _ in g.below(c.m) }
            let loss = try CrossEntropyLoss(weights: c.weighted ? (0..<c.m).map { 0.5 + Double($0) * 1.7 } : nil)

            model.zeroGrad()
            let out = try model.forward(x)
            let grad = try Tensor(uninitialized: out.shape)
            let want = try loss.evaluate(out, labels: labels, gradient: grad)
            try model.accumulateParameterGradients(x, grad)
            let wantLogits = bits(out), wantGradients = model.gradients.map(bits)

            let fused = try XCTUnwrap(FusedMLPStep(model: model, loss: loss, classes: c.m), what)
            XCTAssertTrue(fused.applies(to: x), what)
            model.zeroGrad()
            let got = try fused.run(x, labels: labels)
            XCTAssertEqual(got.loss.bitPattern, want.loss.bitPattern, "loss, " + what)
            XCTAssertEqual(got.weightedLoss.bitPattern, want.weightedLoss.bitPattern, "weighted loss, " + what)
            XCTAssertEqual(got.correct, want.correct, "correct, " + what)
            assertSameBits(bits(fused.logits!), wantLogits, "logits, " + what)
            for (p, (a, b)) in zip(model.gradients.map(bits), wantGradients).enumerated() {
                assertSameBits(a, b, "gradient \(p + 1), " + what)
            }
            // Gradients add up over calls, as backward's do.
            _ = try fused.run(x, labels: labels)
            let twice = model.gradients.map(bits)
            model.zeroGrad()
            _ = try model.forward(x)
            try model.accumulateParameterGradients(x, grad)
            try model.accumulateParameterGradients(x, grad)
            for (p, (a, b)) in zip(model.gradients.map(bits), twice).enumerated() {
                assertSameBits(a, b, "gradient \(p + 1) after two steps, " + what)
            }
        }
    }

    /// The step's saved-state rule: after it, a backward runs forward first.
    func testModulesForgetTheirForwardState() throws {
        let model = try network(2, 12, 3, bias: true, seed: 1)
        let x = try FD.random([5, 2], seed: 2)
        _ = try model.forward(x)
        let fused = try XCTUnwrap(FusedMLPStep(model: model, loss: try CrossEntropyLoss(), classes: 3))
        _ = try fused.run(x, labels: [0, 1, 2, 0, 1])
        XCTAssertNil(model.lastInput)
        XCTAssertNil(model.modules[0].lastInput)
    }

    /// Models and losses it does not handle are left to the modules.
    func testOtherShapesAreNotFused() throws {
        let ce = try CrossEntropyLoss()
        XCTAssertNil(FusedMLPStep(model: try network(2, 8, 3, bias: true, seed: 1), loss: ce, classes: 3), "h <= 8")
        XCTAssertNil(FusedMLPStep(model: try network(9, 20, 3, bias: true, seed: 1), loss: ce, classes: 3), "k > 8")
        XCTAssertNil(FusedMLPStep(model: try network(2, 20, 9, bias: true, seed: 1), loss: ce, classes: 9), "m > 8")
        XCTAssertNil(FusedMLPStep(model: try network(2, 20, 3, bias: true, seed: 1), loss: try MSELoss(), classes: 3), "MSE")
        var g = Generator(seed: 1)
        let tanh = try Sequential([try Linear(2, 20, generator: &g), ElementwiseActivation(.tanh), try Linear(20, 3, generator: &g)])
        XCTAssertNil(FusedMLPStep(model: tanh, loss: ce, classes: 3), "tanh")
        let model = try network(2, 20, 3, bias: true, seed: 1)
        XCTAssertNil(FusedMLPStep(model: model, loss: ce, classes: 4), "labels up to 4 classes, 3 logits")
        let fused = try XCTUnwrap(FusedMLPStep(model: model, loss: ce, classes: 3))
        XCTAssertFalse(fused.applies(to: try FD.random([4, 3], seed: 1)), "3 columns")
        XCTAssertFalse(fused.applies(to: try FD.random([4, 2], seed: 1).converted(to: .float32)), "float32 input")
        try ce.setWeights([1, 2])
        XCTAssertFalse(fused.applies(to: try FD.random([4, 2], seed: 1)), "2 weights for 3 classes")
        try ce.setWeights(nil)
        try model.convert(to: .float32)
        XCTAssertFalse(fused.applies(to: try FD.random([4, 2], seed: 1).converted(to: .float32)), "float32 model")
    }
}

import XCTest
@testable import DynCore

/// A module with two parameters (shapes (3) and (2x1)) whose gradients the test sets directly.
final class TwoParameterModule: Module {
    var a: Tensor, b: Tensor, ga: Tensor, gb: Tensor

    init(_ values: [Double], dtype: DType) throws {
        a = try Tensor(shape: [3], values: Array(values[0..<3]), dtype: dtype)
        b = try Tensor(shape: [2, 1], values: Array(values[3..<5]), dtype: dtype)
        ga = try Tensor(zeros: [3], dtype: dtype)
        gb = try Tensor(zeros: [2, 1], dtype: dtype)
    }

    override var parameters: [Tensor] { [a, b] }
    override var gradients: [Tensor] { [ga, gb] }

    func setGradient(_ g: [Double]) {
        for i in 0..<3 { ga.setValue(g[i], at: [i]) }
        for i in 0..<2 { gb.setValue(g[3 + i], at: [i, 0]) }
    }

    var flat: [Double] { a.toArray() + b.toArray() }

    override func convert(to dtype: DType) throws {
        a = try a.converted(to: dtype); b = try b.converted(to: dtype)
        ga = try ga.converted(to: dtype); gb = try gb.converted(to: dtype)
    }
}

/// Two steps from p0 with gradients g1 then g2. Reference values from python3/numpy using
/// PyTorch's documented update rules (the formulas in SGD.swift and Adam.swift), e.g.
/// SGD momentum: d = g + wd*p; buf = d (step 1) or mu*buf + d; p = p - lr*buf.
final class OptimTests: XCTestCase {
    let p0 = [0.5, -1.0, 2.0, 0.25, -0.75]
    let g1 = [0.1, -0.2, 0.3, -0.4, 0.5]
    let g2 = [-0.3, 0.1, 0.2, 0.05, -0.6]

    func run(_ dtype: DType, _ make: (Module) throws -> Optimizer) throws -> [Double] {
        let m = try TwoParameterModule(p0, dtype: dtype)
        let opt = try make(m)
        for g in [g1, g2] {
            opt.zeroGrad()
            XCTAssertEqual(try m.flatGradients().toArray(), [0, 0, 0, 0, 0])
            m.setGradient(g)
            try opt.step()
        }
        XCTAssertEqual(opt.stepCount, 2)
        return m.flat
    }

    func check(_ make: (Module) throws -> Optimizer, _ want: [Double], file: StaticString = #filePath, line: UInt = #line) throws {
        let got64 = try run(.float64, make), got32 = try run(.float32, make)
        for i in 0..<5 {
            XCTAssertEqual(got64[i], want[i], accuracy: 1e-15 * max(1, abs(want[i])), "float64 [\(i)]", file: file, line: line)
            XCTAssertEqual(got32[i], want[i], accuracy: 1e-6 * max(1, abs(want[i])), "float32 [\(i)]", file: file, line: line)
        }
    }

    func testPlainSGD() throws {
        // By hand for p[1]: 0.5 - 0.1*0.1 = 0.49; 0.49 - 0.1*(-0.3) = 0.52.
        try check({ try SGD(module: $0, lr: 0.1) }, [0.52, -0.99, 1.95, 0.28500000000000003, -0.74])
    }

    func testSGDMomentumWithWeightDecay() throws {
        // By hand for p[1]: d1 = 0.1 + 0.01*0.5 = 0.105 = buf1; p = 0.5 - 0.0105 = 0.4895;
        // d2 = -0.3 + 0.004895 = -0.295105; buf2 = 0.9*0.105 + d2 = -0.200605; p = 0.4895 + 0.0200605.
        try check({ try SGD(module: $0, lr: 0.1, momentum: 0.9, weightDecay: 0.01) },
                  [0.5095605, -0.969121, 1.917232, 0.32023525, -0.78277575])
    }

    func testSGDNesterov() throws {
        try check({ try SGD(module: $0, lr: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true) },
                  [0.5276329049999999, -0.96026581, 1.87159552, 0.3476040025, -0.7678647075])
    }

    func testAdamWithWeightDecay() throws {
        try check({ try Adam(module: $0, lr: 0.01, weightDecay: 0.1) },
                  [0.49295244907868235, -0.983324272202689, 1.9801207305490018, 0.26508816409782354, -0.7572644291921726])
    }

    func testAdamBiasCorrectionWithOtherBetas() throws {
        try check({ try Adam(module: $0, lr: 0.1, beta1: 0.5, beta2: 0.75, eps: 1e-3) },
                  [0.47130209453229205, -0.900497512437811, 1.8065667762355395, 0.38740475151557746, -0.808158742918323])
    }

    func testAdamFirstStepIsSignTimesLearningRate() throws {
        // With bias correction, step 1 moves every parameter by lr * g / (|g| + eps) ~ lr * sign(g).
        let m = try TwoParameterModule(p0, dtype: .float64)
        let opt = try Adam(module: m, lr: 0.01, eps: 0)
        m.setGradient(g1)
        try opt.step()
        for i in 0..<5 { XCTAssertEqual(m.flat[i], p0[i] - 0.01 * (g1[i] > 0 ? 1 : -1), accuracy: 1e-16) }
    }

    func testLearningRateChangesBetweenSteps() throws {
        let m = try TwoParameterModule(p0, dtype: .float64)
        let opt = try SGD(module: m, lr: 0.1)
        m.setGradient(g1)
        try opt.step()
        opt.learningRate = 1
        try opt.step()  // gradient still g1 (not zeroed): p = p0 - 1.1*g1
        for i in 0..<5 { XCTAssertEqual(m.flat[i], p0[i] - 0.1 * g1[i] - g1[i], accuracy: 1e-15) }
    }

    func testErrors() throws {
        let m = try TwoParameterModule(p0, dtype: .float64)
        XCTAssertThrowsError(try SGD(module: m, lr: -1))
        XCTAssertThrowsError(try SGD(module: m, lr: 0.1, nesterov: true)) {
            XCTAssertEqual(($0 as? TensorError)?.message, "optim.SGD: nesterov momentum requires momentum > 0")
        }
        XCTAssertThrowsError(try Adam(module: m, lr: 0.1, beta1: 1))
        XCTAssertThrowsError(try Adam(module: m, lr: 0.1, eps: -1))
        let opt = try SGD(module: m, lr: 0.1)
        try m.convert(to: .float32)
        XCTAssertThrowsError(try opt.step()) {
            XCTAssertTrue(($0 as? TensorError)?.message.contains("parameters were replaced") ?? false)
        }
    }

    /// stepIfFinite applies a finite update exactly as step() does, and refuses one that would
    /// make an element non-finite, changing nothing: parameters, momentum/moment buffers, step
    /// count (checked by continuing both optimizers with the same finite steps afterwards).
    func testStepIfFiniteRefusesAndChangesNothing() throws {
        let makers: [(String, (Module) throws -> Optimizer)] = [
            ("SGD", { try SGD(module: $0, lr: 0.1) }),
            ("SGD momentum nesterov", { try SGD(module: $0, lr: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true) }),
            ("Adam", { try Adam(module: $0, lr: 0.1, weightDecay: 0.01) })]
        for dtype in [DType.float64, .float32] {
            for (name, make) in makers {
                let what = "\(name) \(dtype)"
                let plain = try TwoParameterModule(p0, dtype: dtype), guarded = try TwoParameterModule(p0, dtype: dtype)
                let a = try make(plain), b = try make(guarded)
                plain.setGradient(g1); guarded.setGradient(g1)
                try a.step()
                XCTAssertNil(try b.stepIfFinite(), what)
                XCTAssertEqual(guarded.flat.map(\.bitPattern), plain.flat.map(\.bitPattern), what)
                // An infinite or NaN gradient in element 1 of parameter 2: refused.
                for bad in [Double.infinity, .nan] {
                    guarded.setGradient([0, 0, 0, bad, 0])
                    let before = guarded.flat
                    let refused = try XCTUnwrap(try b.stepIfFinite(), "\(what), gradient \(bad)")
                    XCTAssertEqual(refused, NonFiniteUpdate(parameter: 1, element: 0, value: before[3]), what)
                    XCTAssertEqual(guarded.flat.map(\.bitPattern), before.map(\.bitPattern), what)
                    XCTAssertEqual(b.stepCount, 1, what)
                }
                plain.setGradient(g2); guarded.setGradient(g2)
                try a.step()
                XCTAssertNil(try b.stepIfFinite(), what)
                XCTAssertEqual(guarded.flat.map(\.bitPattern), plain.flat.map(\.bitPattern), "\(what), after a refused step")
            }
        }
    }
}

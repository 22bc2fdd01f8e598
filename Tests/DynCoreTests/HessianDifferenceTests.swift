import XCTest
@testable import DynCore

/// Hessian-vector products by differences of exact gradients (the method for Lua-written
/// layers and losses) against the exact R-operator: the accuracy docs/api/analysis.md states,
/// for the default step and for steps around it (which shows why it is the default).
final class HessianDifferenceTests: XCTestCase {
    /// (model, x, labels) pairs: the paper's MLP shape and a smooth CNN with BatchNorm2d in
    /// training mode (batch statistics: every sample couples to the others).
    func cases() throws -> [(String, Module, Tensor, [Int])] {
        var g = Generator(seed: 5)
        let mlpX = try Tensor.randn([40, 2], generator: &g)
        Generator.global = Generator(seed: 6)
        let mlp = try Sequential([try Linear(2, 16), Tanh(), try Linear(16, 16), Tanh(), try Linear(16, 3)])
        let images = try Tensor.randn([6, 1, 6, 6], generator: &g)
        let window = try Window2d(kernel: (3, 3), stride: (1, 1), padding: (1, 1), layer: "test")
        let cnn = try Sequential([try Conv2d(1, 4, window: window), try BatchNorm2d(4), Tanh(),
                                  try Pool2d(.average, kernel: 2), try Conv2d(4, 4, window: window), Sigmoid(),
                                  GlobalAvgPool2d(), try Linear(4, 3)])
        return [("MLP", mlp, mlpX, (0..<40).map { $0 % 3 }), ("CNN", cnn, images, (0..<6).map { $0 % 3 })]
    }

    /// Largest relative error max|Hv - exact| / max|exact| over 5 random directions.
    func error(_ m: Module, _ x: Tensor, _ y: [Int], step: Double) throws -> Double {
        let loss = try CrossEntropyLoss(weights: [2, 0.5, 1])
        let exact = try HessianVectorProduct(model: m, loss: loss, x: x, labels: y, allowFastPath: false, method: .exact)
        let differences = DifferenceHessianVectorProduct(model: m, loss: loss, x: x, labels: y, step: step)
        var g = Generator(seed: 8)
        var worst = 0.0
        for _ in 0..<5 {
            let v = (0..<exact.dimension).map { _ in g.normal() }
            let e = try exact.apply(v)
            var d = [Double](repeating: 0, count: v.count)
            try differences.apply(v, into: &d)
            worst = max(worst, zip(e, d).map { abs($0 - $1) }.max()! / e.map(abs).max()!)
        }
        return worst
    }

    func testDefaultStepIsAccurateTo1e10() throws {
        for (name, m, x, y) in try cases() {
            let before = try m.flatParameters().toArray()
            let e = try error(m, x, y, step: DifferenceHessianVectorProduct.defaultStep)
            XCTAssertLessThan(e, 1e-10, name)
            XCTAssertGreaterThan(e, 0, "\(name): a real difference method, not the exact one")
            XCTAssertEqual(try m.flatParameters().toArray(), before, "\(name): parameters restored")
        }
    }

    /// Larger steps lose to truncation (h⁴), smaller ones to rounding (ε/h): the default sits
    /// between. (Printed with DYNLUA_SHOW_STEPS=1 for the docs' table.)
    func testStepsAroundTheDefaultAreWorse() throws {
        for (name, m, x, y) in try cases() {
            let errors = try [1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6].map { try error(m, x, y, step: $0) }
            if ProcessInfo.processInfo.environment["DYNLUA_SHOW_STEPS"] != nil { print(name, errors) }
            XCTAssertLessThan(errors[2], errors[0], "\(name): 1e-3 beats 1e-1")
            XCTAssertLessThan(errors[2], errors[5], "\(name): 1e-3 beats 1e-6")
        }
    }

    /// BatchNorm2d's running statistics and Dropout's pass count are put back.
    func testRunningStateIsRestored() throws {
        let (_, m, x, y) = try cases()[1]
        let d = try Dropout(p: 0.5, seed: 1)
        let model = try Sequential([m, d])
        _ = try model.forward(x)
        let state = model.runState.map { $0.toArray() }
        let h = try HessianVectorProduct(model: model, loss: try MSELoss(), x: x, labels: y, method: .differences)
        _ = try h.apply([Double](repeating: 0.1, count: h.dimension))
        XCTAssertEqual(h.method, .differences)
        XCTAssertEqual(model.runState.map { $0.toArray() }, state)
        XCTAssertTrue(d.isTraining)
    }

    /// A layer the analysis does not know (as a Lua-written one): Tanh through its own code.
    final class OpaqueTanh: Module {
        let inner = Tanh()
        override func forward(_ x: Tensor) throws -> Tensor { lastInput = x; return try inner.forward(x) }
        override func backward(_ x: Tensor, _ g: Tensor) throws -> Tensor { try inner.backward(x, g) }
    }

    /// A loss the analysis does not know: cross-entropy through the built-in kernels.
    final class OpaqueCrossEntropy: Loss {
        let inner = try! CrossEntropyLoss()
        override func kernel(_ x: UnsafePointer<Double>, _ n: Int, _ c: Int, _ y: UnsafePointer<Int>,
                             _ w: UnsafePointer<Double>?, _ grad: UnsafeMutablePointer<Double>?) -> LossEvaluation {
            inner.kernel(x, n, c, y, w, grad)
        }
    }

    /// method auto picks differences for an unknown layer or loss, and they give the built-in
    /// network's top eigenvalues; method exact refuses, naming the part.
    func testUnknownPartsUseDifferences() throws {
        var g = Generator(seed: 3)
        let x = try Tensor.randn([30, 2], generator: &g)
        let y = (0..<30).map { $0 % 3 }
        Generator.global = Generator(seed: 4)
        let builtIn = try Sequential([try Linear(2, 8), Tanh(), try Linear(8, 3)])
        let custom = try Sequential([try Linear(weight: builtIn.modules[0].parameters[0], bias: builtIn.modules[0].parameters[1]),
                                     OpaqueTanh(),
                                     try Linear(weight: builtIn.modules[2].parameters[0], bias: builtIn.modules[2].parameters[1])])
        let weights = [2.0, 0.5, 1]
        let exact = try HessianVectorProduct(model: builtIn, loss: try CrossEntropyLoss(weights: weights), x: x, labels: y)
        let want = try Hessian.extremeEigenvalues(exact, k: 3, iterations: nil, seed: 1)
        for (model, loss) in [(custom, try CrossEntropyLoss(weights: weights) as Loss),
                              (builtIn, try OpaqueCrossEntropy(weights: weights) as Loss)] {
            let h = try HessianVectorProduct(model: model, loss: loss, x: x, labels: y)
            XCTAssertEqual(h.method, .differences)
            let got = try Hessian.extremeEigenvalues(h, k: 3, iterations: nil, seed: 1)
            for (a, b) in zip(got, want) { XCTAssertEqual(a, b, accuracy: 1e-9 * abs(b)) }
        }
        XCTAssertThrowsError(try HessianVectorProduct(model: custom, loss: try MSELoss(), x: x, labels: y, method: .exact)) {
            XCTAssertEqual(($0 as! TensorError).message, "hvp: no exact Hessian-vector product: module OpaqueTanh has no exact R-operator")
        }
        XCTAssertThrowsError(try HessianVectorProduct(model: builtIn, loss: try OpaqueCrossEntropy(), x: x, labels: y, method: .exact)) {
            XCTAssertEqual(($0 as! TensorError).message, "hvp: no exact Hessian-vector product: loss OpaqueCrossEntropy has no exact R-operator")
        }
    }
}

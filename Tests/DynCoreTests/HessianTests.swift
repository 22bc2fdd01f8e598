import XCTest
@testable import DynCore

/// Exact Hessian-vector products against finite differences of exact gradients, against the
/// closed-form Hessian of a linear softmax model, and Lanczos against LAPACK on the full Hessian.
final class HessianTests: XCTestCase {
    func data(_ n: Int, _ d: Int, _ c: Int, seed: UInt64) throws -> (Tensor, [Int]) {
        var g = Generator(seed: seed)
        let x = try Tensor.randn([n, d], generator: &g)
        return (x, (0..<n).map { $0 % c })
    }

    /// ∇L at flat parameters theta, through the modules' own backward.
    func gradient(_ m: Module, _ loss: Loss, _ x: Tensor, _ y: [Int], at theta: [Double]) throws -> [Double] {
        try m.setFlatParameters(Tensor(shape: [theta.count], values: theta))
        let out = try m.forward(x)
        let g = try Tensor(uninitialized: out.shape)
        _ = try loss.evaluate(out, labels: y, gradient: g)
        m.zeroGrad()
        _ = try m.backward(x, g)
        return try m.flatGradients().toArray()
    }

    func checkAgainstFiniteDifferences(_ m: Module, _ loss: Loss, _ x: Tensor, _ y: [Int], file: StaticString = #filePath, line: UInt = #line) throws {
        let theta = try m.flatParameters().toArray()
        var g = Generator(seed: 9)
        let v = (0..<theta.count).map { _ in g.normal() }
        let hvp = try HessianVectorProduct(model: m, loss: loss, x: x, labels: y)
        let exact = try hvp.apply(v)
        let eps = 1e-5
        let plus = try gradient(m, loss, x, y, at: zip(theta, v).map { $0 + eps * $1 })
        let minus = try gradient(m, loss, x, y, at: zip(theta, v).map { $0 - eps * $1 })
        try m.setFlatParameters(Tensor(shape: [theta.count], values: theta))
        let fd = zip(plus, minus).map { ($0 - $1) / (2 * eps) }
        let err = zip(exact, fd).map { abs($0 - $1) }.max()!
        let scale = fd.map { abs($0) }.max()!
        XCTAssertLessThan(err / scale, 1e-6, "relative error of Hv against finite differences", file: file, line: line)
    }

    func testWeightedCrossEntropyMLP() throws {
        let (x, y) = try data(20, 3, 3, seed: 1)
        var g = Generator(seed: 2)
        let m = try Sequential([try Linear(3, 8, generator: &g), Tanh(), try Linear(8, 3, generator: &g)])
        try checkAgainstFiniteDifferences(m, try CrossEntropyLoss(weights: [0.5, 2, 1.25]), x, y)
    }

    func testSigmoidSoftmaxMSE() throws {
        let (x, y) = try data(15, 2, 4, seed: 3)
        var g = Generator(seed: 4)
        let m = try Sequential([try Linear(2, 6, generator: &g), Sigmoid(), try Linear(6, 4, generator: &g), Softmax()])
        try checkAgainstFiniteDifferences(m, try MSELoss(weights: [1, 3, 0.5, 2]), x, y)
    }

    func testReLULogSoftmaxIdentity() throws {
        let (x, y) = try data(25, 2, 3, seed: 5)
        var g = Generator(seed: 6)
        let m = try Sequential([try Linear(2, 10, generator: &g), ReLU(), Identity(), try Linear(10, 3, generator: &g), LogSoftmax()])
        try checkAgainstFiniteDifferences(m, try MSELoss(), x, y)
        try checkAgainstFiniteDifferences(m, try CrossEntropyLoss(weights: [2, 1, 1]), x, y)
    }

    /// Linear(d, C) + weighted cross-entropy: H[(i,c),(j,c')] = sum_n (w_yn / N) x̃_ni x̃_nj S_n[c,c'],
    /// with x̃_n = (x_n, 1) and S_n = diag(p_n) - p_n p_nᵀ. Parameters are W row-major, then b.
    func testLinearSoftmaxClosedForm() throws {
        let n = 7, d = 3, c = 3
        let (x, y) = try data(n, d, c, seed: 7)
        var g = Generator(seed: 8)
        let lin = try Linear(d, c, generator: &g)
        let w = [0.3, 1.7, 1.0]
        let loss = try CrossEntropyLoss(weights: w)
        let h = try Hessian.full(try HessianVectorProduct(model: lin, loss: loss, x: x, labels: y))
        let p = try Tensor.matmul(x, lin.weight).toArray()
        let b = lin.bias!.toArray()
        let P = d * c + c
        var want = [Double](repeating: 0, count: P * P)
        func index(_ i: Int, _ k: Int) -> Int { i < d ? i * c + k : d * c + k }
        for r in 0..<n {
            var z = (0..<c).map { p[r * c + $0] + b[$0] }
            let mx = z.max()!
            z = z.map { exp($0 - mx) }
            let s = z.reduce(0, +)
            let prob = z.map { $0 / s }
            let xt = (0..<d).map { x.value(at: [r, $0]) } + [1]
            let scale = w[y[r]] / Double(n)
            for i in 0...d { for j in 0...d { for k in 0..<c { for l in 0..<c {
                let S = (k == l ? prob[k] : 0) - prob[k] * prob[l]
                want[index(i, k) * P + index(j, l)] += scale * xt[i] * xt[j] * S
            } } } }
        }
        let got = h.toArray()
        for i in 0..<P * P { XCTAssertEqual(got[i], want[i], accuracy: 1e-14) }
    }

    func testFullHessianIsSymmetricBeforeSymmetrizing() throws {
        let (x, y) = try data(12, 2, 3, seed: 10)
        var g = Generator(seed: 11)
        let m = try Sequential([try Linear(2, 5, generator: &g), Tanh(), try Linear(5, 3, generator: &g)])
        let hvp = try HessianVectorProduct(model: m, loss: try CrossEntropyLoss(), x: x, labels: y)
        let p = hvp.dimension
        var columns: [[Double]] = []
        for j in 0..<p {
            var e = [Double](repeating: 0, count: p); e[j] = 1
            columns.append(try hvp.apply(e))
        }
        var asym = 0.0
        for i in 0..<p { for j in 0..<p { asym = max(asym, abs(columns[j][i] - columns[i][j])) } }
        XCTAssertLessThan(asym, 1e-13)
    }

    /// Lanczos on exact products against LAPACK's eigenvalues of the full Hessian.
    func testLanczosMatchesFullHessian() throws {
        let (x, y) = try data(30, 2, 3, seed: 12)
        var g = Generator(seed: 13)
        let m = try Sequential([try Linear(2, 16, generator: &g), ReLU(), try Linear(16, 3, generator: &g)])
        let hvp = try HessianVectorProduct(model: m, loss: try CrossEntropyLoss(weights: [3, 1, 1]), x: x, labels: y)
        let exact = try SymmetricEigen.eigenvalues(try Hessian.full(hvp))
        let top = try Hessian.extremeEigenvalues(hvp, k: 3, iterations: nil, seed: 0)
        for i in 0..<3 { XCTAssertEqual(top[i], exact[i], accuracy: 1e-6 * abs(exact[0])) }
        let bottom = try Hessian.extremeEigenvalues(hvp, k: 2, iterations: nil, seed: 0, smallest: true)
        XCTAssertEqual(bottom[0], exact.last!, accuracy: 1e-6 * abs(exact[0]))
    }

    func testRejectsFloat32Model() throws {
        let lin = try Linear(2, 3)
        try lin.convert(to: .float32)
        XCTAssertThrowsError(try HessianVectorProduct(model: lin, loss: try CrossEntropyLoss(), x: Tensor(zeros: [1, 2]), labels: [0]))
    }
}

/// The fast MLP operator against the general R-operator, for every activation and both losses,
/// and after the parameters and weights change (prepare must refresh its cache).
final class FastHessianTests: XCTestCase {
    func testFastPathAgreesWithGeneralOperator() throws {
        var g = Generator(seed: 21)
        let x = try Tensor.randn([40, 3], generator: &g)
        let y = (0..<40).map { $0 % 4 }
        for act in [ReLU() as Module, Tanh(), Sigmoid()] {
            let m = try Sequential([try Linear(3, 9, generator: &g), act, Identity(), try Linear(9, 4, generator: &g), Tanh()])
            for loss in [try CrossEntropyLoss(weights: [0.5, 2, 1, 3]) as Loss, try MSELoss(weights: [1, 2, 0.25, 1])] {
                let fast = try HessianVectorProduct(model: m, loss: loss, x: x, labels: y)
                let general = try HessianVectorProduct(model: m, loss: loss, x: x, labels: y, allowFastPath: false)
                XCTAssertTrue(fast.usesFastPath)
                XCTAssertFalse(general.usesFastPath)
                for round in 0..<2 {
                    if round == 1 {
                        // New parameters and weights: the cached forward pass must be refreshed.
                        try m.setFlatParameters(Tensor.randn([m.numParameters], generator: &g))
                        try loss.setWeights([1, 1, 4, 0.5])
                        try fast.prepare()
                    }
                    let v = (0..<fast.dimension).map { _ in g.normal() }
                    let a = try fast.apply(v), b = try general.apply(v)
                    let scale = b.map { abs($0) }.max()!
                    for i in 0..<a.count { XCTAssertEqual(a[i], b[i], accuracy: 1e-12 * scale) }
                }
            }
        }
    }

    /// A hidden layer wider than 8 on both sides (12 -> 10) takes BLAS for its products, the
    /// layers around it the skinny kernels (rows for 3 -> 12, dot products with a bias for
    /// 10 -> 4); the first layer has no bias.
    func testFastPathWithWideAndSkinnyLayers() throws {
        var g = Generator(seed: 22)
        let x = try Tensor.randn([30, 3], generator: &g)
        let y = (0..<30).map { $0 % 4 }
        for act in [ReLU() as Module, Tanh()] {
            let m = try Sequential([try Linear(3, 12, bias: false, generator: &g), act, try Linear(12, 10, generator: &g),
                                    Sigmoid(), try Linear(10, 4, generator: &g)])
            let loss = try CrossEntropyLoss(weights: [1, 3, 0.5, 2])
            let fast = try HessianVectorProduct(model: m, loss: loss, x: x, labels: y)
            let general = try HessianVectorProduct(model: m, loss: loss, x: x, labels: y, allowFastPath: false)
            XCTAssertTrue(fast.usesFastPath)
            let v = (0..<fast.dimension).map { _ in g.normal() }
            let a = try fast.apply(v), b = try general.apply(v)
            let scale = b.map { abs($0) }.max()!
            for i in 0..<a.count { XCTAssertEqual(a[i], b[i], accuracy: 1e-12 * scale) }
        }
    }

    func testSoftmaxModelsUseTheGeneralOperator() throws {
        let m = try Sequential([try Linear(2, 3), LogSoftmax()])
        let hvp = try HessianVectorProduct(model: m, loss: try MSELoss(), x: Tensor(zeros: [2, 2]), labels: [0, 1])
        XCTAssertFalse(hvp.usesFastPath)
    }
}

/// The closed-form NTK of layer chains against J Jᵀ from per-sample Jacobians.
final class FastTangentKernelTests: XCTestCase {
    func testChainKernelMatchesJacobianProduct() throws {
        var g = Generator(seed: 31)
        let x = try Tensor.randn([7, 3], generator: &g)
        for act in [ReLU() as Module, Tanh(), Sigmoid()] {
            let m = try Sequential([try Linear(3, 6, generator: &g), act, try Linear(6, 5, generator: &g), Tanh(),
                                    try Linear(5, 4, bias: false, generator: &g)])
            let fast = try NeuralTangentKernel.kernel(m, x)
            let slow = try NeuralTangentKernel.kernel(m, x, allowFastPath: false)
            let a = fast.toArray(), b = slow.toArray()
            let scale = b.map { abs($0) }.max()!
            XCTAssertEqual(fast.shape, [28, 28])
            for i in 0..<a.count { XCTAssertEqual(a[i], b[i], accuracy: 1e-12 * scale) }
        }
    }
}

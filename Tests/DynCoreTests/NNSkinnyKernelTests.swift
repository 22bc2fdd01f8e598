import XCTest
@testable import DynCore

/// Linear layers with a tiny side (n_in or n_out <= 8) run through the C kernels of CKernels
/// instead of BLAS, and Sequential fuses Linear -> ReLU (forward) and ReLU -> Linear (backward).
/// References here are plain triple loops in Double over the same inputs.
final class NNSkinnyKernelTests: XCTestCase {
    /// Row-major values of a 2-D tensor.
    private func rows(_ t: Tensor) -> [[Double]] {
        let v = t.toArray(), c = t.shape[1]
        return (0..<t.shape[0]).map { Array(v[($0 * c)..<($0 * c + c)]) }
    }

    /// Forward, dW, db and dX of one layer against the loops, for shapes that take every kernel
    /// branch: k <= 8 (rows), m <= 8 with k > 8 (dots, with 16-lane tails of 0...15 terms),
    /// both tiny, and blocks of 32 with remainders in the dW kernel.
    func testLinearMatchesLoopsOnSkinnyShapes() throws {
        let shapes: [(n: Int, k: Int, m: Int)] = [(7, 2, 100), (5, 100, 3), (4, 3, 2), (6, 8, 40),
                                                   (3, 40, 8), (1, 1, 1), (9, 17, 5), (2, 33, 1)]
        for dtype in allDTypes {
            for (s, (n, k, m)) in shapes.enumerated() {
                var g = Generator(seed: UInt64(20 + s))
                let layer = try Linear(k, m, generator: &g)
                try layer.convert(to: dtype)
                XCTAssertTrue(SkinnyKernels.applies(inputs: k, outputs: m))
                let x = try FD.random([n, k], seed: UInt64(40 + s)).converted(to: dtype)
                let gy = try FD.random([n, m], seed: UInt64(60 + s)).converted(to: dtype)
                let X = rows(x), G = rows(gy), W = rows(layer.weight), b = layer.bias!.toArray()
                var y = [Double](), dW = [Double](), dX = [Double]()
                for r in 0..<n { for j in 0..<m { y.append(b[j] + (0..<k).reduce(0) { $0 + X[r][$1] * W[$1][j] }) } }
                for i in 0..<k { for j in 0..<m { dW.append((0..<n).reduce(0) { $0 + X[$1][i] * G[$1][j] }) } }
                let db = (0..<m).map { j in (0..<n).reduce(0) { $0 + G[$1][j] } }
                for r in 0..<n { for i in 0..<k { dX.append((0..<m).reduce(0) { $0 + G[r][$1] * W[i][$1] }) } }
                let tol = dtype == .float64 ? 1e-13 : 1e-5
                let what = "\(dtype.rawValue) \(n)x\(k) -> \(m)"
                assertTensor(try layer.forward(x), y, shape: [n, m], tol: tol, "forward " + what)
                layer.zeroGrad()
                assertTensor(try layer.backward(x, gy), dX, shape: [n, k], tol: tol, "dX " + what)
                assertTensor(layer.gradWeight, dW, shape: [k, m], tol: tol, "dW " + what)
                assertTensor(layer.gradBias!, db, shape: [m], tol: tol, "db " + what)
            }
        }
    }

    func testStridedInputAndAccumulation() throws {
        var g = Generator(seed: 3)
        let layer = try Linear(3, 4, generator: &g)
        let x = try FD.random([3, 6], seed: 5).t()   // 6 x 3, column-major view
        let gy = try FD.random([6, 4], seed: 6)
        let want = try Tensor.matmul(x, layer.weight).toArray().enumerated().map { $1 + layer.bias!.toArray()[$0 % 4] }
        assertTensor(try layer.forward(x), want, shape: [6, 4], tol: 1e-13)
        layer.zeroGrad()
        _ = try layer.backward(x, gy)
        _ = try layer.backward(x, gy)
        // Gradients add up over backward calls.
        let once = try Tensor.matmul(try x.t(), gy).toArray()
        assertTensor(layer.gradWeight, once.map { 2 * $0 }, shape: [3, 4], tol: 1e-13)
    }

    /// The fused passes give the same bits as running the modules one at a time.
    func testFusedSequentialEqualsModuleByModule() throws {
        for dtype in allDTypes {
            var g = Generator(seed: 7)
            let l1 = try Linear(2, 30, generator: &g), l2 = try Linear(30, 3, generator: &g)
            var g2 = Generator(seed: 7)
            let m1 = try Linear(2, 30, generator: &g2), m2 = try Linear(30, 3, generator: &g2)
            let net = try Sequential([l1, ReLU(), l2])
            try net.convert(to: dtype)
            try m1.convert(to: dtype); try m2.convert(to: dtype)
            let relu = ReLU()
            let x = try FD.random([11, 2], seed: 8).converted(to: dtype)
            let gy = try FD.random([11, 3], seed: 9).converted(to: dtype)

            let y = try net.forward(x).toArray()
            net.zeroGrad()
            let gx = try net.backward(x, gy).toArray()

            let z = try m1.forward(x)
            let h = try relu.forward(z)
            XCTAssertEqual(y, try m2.forward(h).toArray())
            m1.zeroGrad(); m2.zeroGrad()
            let gxRef = try m1.backward(x, try relu.backward(z, try m2.backward(h, gy)))
            XCTAssertEqual(gx, gxRef.toArray())
            XCTAssertEqual(l1.gradWeight.toArray(), m1.gradWeight.toArray())
            XCTAssertEqual(l1.gradBias!.toArray(), m1.gradBias!.toArray())
            XCTAssertEqual(l2.gradWeight.toArray(), m2.gradWeight.toArray())
            XCTAssertEqual(l2.gradBias!.toArray(), m2.gradBias!.toArray())

            // accumulateParameterGradients (train.fit's call) gives the same parameter gradients.
            _ = try net.forward(x)
            net.zeroGrad()
            try net.accumulateParameterGradients(x, gy)
            XCTAssertEqual(l1.gradWeight.toArray(), m1.gradWeight.toArray())
            XCTAssertEqual(l2.gradWeight.toArray(), m2.gradWeight.toArray())
        }
    }
}

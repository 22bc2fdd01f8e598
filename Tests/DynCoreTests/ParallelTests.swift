import XCTest
@testable import DynCore

/// The thread pool (sys.threads) and its guarantee: the convolution and pooling layers give the
/// same bits on any number of threads, and whatever OpenBLAS's own thread count is.
final class ParallelTests: XCTestCase {
    override func tearDown() {
        _ = try? Parallel.setThreads(Parallel.cores)
        SystemInfo.blasThreads = 1
    }

    func testEveryTaskRunsOnceOnEveryThreadCount() throws {
        for threads in 1...Parallel.cores {
            XCTAssertEqual(try Parallel.setThreads(threads), threads)
            var hits = [Int](repeating: 0, count: 1000)
            var workers = [Int](repeating: -1, count: 1000)
            hits.withUnsafeMutableBufferPointer { h in
                workers.withUnsafeMutableBufferPointer { w in
                    Parallel.run(1000) { task, worker in
                        h[task] += 1
                        w[task] = worker
                        // A job inside a task runs inline on the same thread.
                        Parallel.run(3) { _, inner in if inner != worker { h[task] += 100 } }
                    }
                }
            }
            XCTAssertEqual(Set(hits), [1], "\(threads) threads: \(zip(hits, workers).prefix(20).map { "\($0)/\($1)" })")
            XCTAssertTrue(workers.allSatisfy { $0 >= 0 && $0 < threads }, "\(threads) threads")
        }
    }

    func testThreadCountBounds() throws {
        XCTAssertEqual(try Parallel.setThreads(1_000_000), Parallel.cores)
        XCTAssertEqual(Parallel.threads, Parallel.cores)
        assertTensorError("sys.threads: thread count must be >= 1, got 0") { try Parallel.setThreads(0) }
        XCTAssertEqual(Parallel.threads, Parallel.cores)
    }

    /// Everything a training step of a small CNN computes, as raw values.
    func cnnStep(_ net: Sequential, _ x: Tensor, _ r: Tensor) throws -> [[Double]] {
        net.zeroGrad()
        let y = try net.forward(x).toArray()
        let gx = try net.backward(x, r).toArray()
        return [y, gx] + net.gradients.map { $0.toArray() }
    }

    func testLayersGiveTheSameBitsOnAnyThreadCount() throws {
        for dtype in [DType.float32, .float64] {
            let w3 = try Window2d(kernel: (3, 3), stride: (1, 1), padding: (1, 1), layer: "t")
            let net = try Sequential([
                try Conv2d(2, 5, window: w3), ReLU(), try Pool2d(.average, kernel: 2),
                try Conv2d(5, 4, window: try Window2d(kernel: (3, 2), stride: (2, 1), padding: (1, 0), layer: "t")),
                try Pool2d(.max, kernel: 2), Flatten(),
            ])
            try net.convert(to: dtype)
            // 50 samples of 24x24: several chunks in each layer, pools split into runs.
            let x = try FD.random([50, 2, 24, 24], seed: 31).converted(to: dtype)
            let outShape = try net.forward(x).shape
            let r = try FD.random(outShape, seed: 32).converted(to: dtype)
            _ = try Parallel.setThreads(1)
            let one = try cnnStep(net, x, r)
            for threads in 1...Parallel.cores {
                for blas in [1, 2] {
                    _ = try Parallel.setThreads(threads)
                    SystemInfo.blasThreads = blas
                    let blasBefore = SystemInfo.blasThreads
                    let again = try cnnStep(net, x, r)
                    for (k, (a, b)) in zip(one, again).enumerated() {
                        XCTAssertEqual(a.map(\.bitPattern), b.map(\.bitPattern), "\(dtype) tensor \(k), \(threads) threads, \(blas) BLAS threads")
                    }
                    XCTAssertEqual(SystemInfo.blasThreads, blasBefore, "the BLAS thread count is restored")
                }
            }
        }
    }

    /// ReLU on an image batch's activations (over a million elements) runs on the pool in runs
    /// of 65,536: every element as on one thread, NaN kept, the gradient masked by the output.
    func testLargeReLUOnThePool() throws {
        let n = (1 << 20) + 12_345
        var values = (0..<n).map { Float(($0 * 7919) % 2001) - 1000 }
        values[70_000] = .nan
        let x = try Tensor(shape: [n], values: values.map(Double.init)).converted(to: .float32)
        let g = try Tensor(shape: [n], values: (0..<n).map { Double($0 % 13) - 6 }).converted(to: .float32)
        var results: [[UInt32]] = []
        for threads in [1, Parallel.cores] {
            _ = try Parallel.setThreads(threads)
            let relu = ReLU()
            let y = try relu.forward(x).toArray()
            let gx = try relu.backward(x, g).toArray()
            results.append((y + gx).map { Float($0).bitPattern })
            XCTAssertTrue(y[70_000].isNaN)
            XCTAssertEqual(y[0], 0); XCTAssertEqual(y[n - 1], Double(values[n - 1] > 0 ? values[n - 1] : 0))
            XCTAssertEqual(gx[n - 1], values[n - 1] > 0 ? Double((n - 1) % 13 - 6) : 0)
        }
        XCTAssertEqual(results[0], results[1])
    }
}

import Foundation
import XCTest
@testable import DynCore

/// Asserts that body throws a TensorError whose message contains `part`.
private func assertErrorContains<R>(_ part: String, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> R) {
    do {
        _ = try body()
        XCTFail("expected an error containing '\(part)', got none", file: file, line: line)
    } catch let e as TensorError {
        XCTAssertTrue(e.message.contains(part), "'\(e.message)' does not contain '\(part)'", file: file, line: line)
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
    }
}

/// CustomLoss and CustomModule from Swift, as any Swift caller (the training loop, the analysis)
/// sees them: closures give value, gradient and pullback.
final class CustomLossModuleTests: XCTestCase {
    /// The weighted cross-entropy by hand: (1/N) sum_n w[y_n] (lse(x_n) - x_n[y_n]), and its gradient.
    func crossEntropy(calls: UnsafeMutablePointer<Int>) -> CustomLoss.Compute {
        { output, labels, weights, gradient in
            calls.pointee += 1
            let n = output.shape[0], c = output.shape[1]
            let x = output.toArray()
            var total = 0.0
            var g = [Double](repeating: 0, count: n * c)
            for r in 0..<n {
                let row = x[(r * c)..<((r + 1) * c)]
                let m = row.max()!
                let s = row.reduce(0) { $0 + Foundation.exp($1 - m) }
                let w = weights?[labels[r]] ?? 1
                total += w * (m + Foundation.log(s) - x[r * c + labels[r]])
                for j in 0..<c { g[r * c + j] = w / Double(n) * (Foundation.exp(x[r * c + j] - m) / s - (j == labels[r] ? 1 : 0)) }
            }
            if let gradient { try gradient.copy(from: try Tensor(shape: [n, c], values: g)) }
            return total / Double(n)
        }
    }

    func testEvaluateMatchesTheBuiltInAndCallsOnceWithoutWeights() throws {
        var calls = 0
        let custom = try CustomLoss(name: "CE", compute: crossEntropy(calls: &calls))
        let builtin = try CrossEntropyLoss()
        let x = try Tensor(shape: [4, 3], values: [0.5, -1, 2, 3, 0, 0.25, -2, 1, 1, 0, 0, 0])
        let labels = [2, 0, 1, 1]
        let g1 = try Tensor(uninitialized: [4, 3]), g2 = try Tensor(uninitialized: [4, 3])
        let a = try custom.evaluate(x, labels: labels, gradient: g1)
        XCTAssertEqual(calls, 1, "all-ones weights: the unweighted loss is the weighted one")
        let b = try builtin.evaluate(x, labels: labels, gradient: g2)
        XCTAssertEqual(a.loss, b.loss, accuracy: 1e-15)
        XCTAssertEqual(a.weightedLoss, b.weightedLoss, accuracy: 1e-15)
        XCTAssertEqual(a.correct, b.correct)
        for (u, v) in zip(g1.toArray(), g2.toArray()) { XCTAssertEqual(u, v, accuracy: 1e-15) }

        try custom.setWeights([1, 3, 0.5]); try builtin.setWeights([1, 3, 0.5])
        calls = 0
        let c = try custom.evaluate(x, labels: labels, gradient: g1)
        XCTAssertEqual(calls, 2, "a weighted and an unweighted call")
        let d = try builtin.evaluate(x, labels: labels, gradient: g2)
        XCTAssertEqual(c.loss, d.loss, accuracy: 1e-15)
        XCTAssertEqual(c.weightedLoss, d.weightedLoss, accuracy: 1e-15)
        XCTAssertEqual(try custom.forward(x, labels: labels), d.weightedLoss, accuracy: 1e-15)
        for (u, v) in zip(try custom.backward(x, labels: labels).toArray(), g2.toArray()) { XCTAssertEqual(u, v, accuracy: 1e-15) }
        XCTAssertEqual(custom.description, "CE(weights = {1, 3, 0.5})")
        // The built-in checks apply: labels and the gradient buffer.
        assertTensorError("CE: row 1: label 4 outside 1..3") { _ = try custom.evaluate(x, labels: [3, 0, 0, 0], gradient: nil) }
        assertErrorContains("CE: gradient buffer must be") { _ = try custom.evaluate(x, labels: labels, gradient: try Tensor(uninitialized: [3, 4])) }
    }

    /// y = x * s (s a parameter vector), as a CustomModule whose pullback is written by hand.
    func scaled(_ s: Tensor) throws -> CustomModule {
        try CustomModule(name: "Scaled", parameters: [("s", s)]) { m, x in
            let s = m.parameters[0]
            let out = try Tensor.binary(.mul, x, s)
            return (out, { g in
                (try Tensor.binary(.mul, g, s), [try Tensor.binary(.mul, g, x).reduce(.sum, dim: 0).values])
            })
        }
    }

    func testModuleBackwardAccumulatesAndCheckpointsRoundTrip() throws {
        let m = try scaled(try Tensor(shape: [3], values: [1, 2, -1]))
        let x = try Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let g = try Tensor(filled: 1, shape: [2, 3])
        assertTensor(try m.forward(x), [1, 4, -3, 4, 10, -6], shape: [2, 3])
        assertTensor(try m.backward(x, g), [1, 2, -1, 1, 2, -1], shape: [2, 3])
        _ = try m.backward(x, g)  // runs forward again (the pullback is spent) and adds
        assertTensor(m.gradients[0], [10, 14, 18], shape: [3])
        XCTAssertEqual(m.description, "Scaled(s: (3))")

        let seq = try Sequential([try Linear(3, 3), m])
        let text = try Checkpoint.text(of: seq)
        XCTAssertTrue(text.contains("Custom Scaled 1\ns float64 1 3\n1.0 2.0 -1.0\n"), text)
        assertErrorContains("holds a custom layer 'Scaled'") { _ = try Checkpoint.parse(text, name: "m") }
        let back = try Checkpoint.parse(text, name: "m") { name in
            name == "Scaled" ? try self.scaled(try Tensor(zeros: [3])) : nil
        }
        XCTAssertEqual(try back.flatParameters().toArray(), try seq.flatParameters().toArray())
        assertErrorContains("the constructor's parameter 1 is 's' of shape (4)") {
            _ = try Checkpoint.parse(text, name: "m") { _ in try self.scaled(try Tensor(zeros: [4])) }
        }
    }
}

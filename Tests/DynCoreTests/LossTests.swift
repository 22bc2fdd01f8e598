import Foundation
import XCTest
@testable import DynCore

final class LossTests: XCTestCase {
    let output = try! Tensor(shape: [3, 3], values: [1, 2, 3, 0, 0, 0, -1, 4, 0.5])
    let labels = [2, 0, 1]

    func message(_ body: () throws -> Void) -> String {
        do { try body(); return "no error" } catch { return (error as! TensorError).message }
    }

    func testCrossEntropyClosedForm() throws {
        // loss_n = log(sum_j e^{x_nj}) - x_n,y_n, by hand.
        let l0 = log(exp(1.0) + exp(2.0) + exp(3.0)) - 3
        let l1 = log(3.0)
        let l2 = log(exp(-1.0) + exp(4.0) + exp(0.5)) - 4
        let ce = try CrossEntropyLoss()
        let e = try ce.evaluate(output, labels: labels, gradient: nil)
        XCTAssertEqual(e.loss, (l0 + l1 + l2) / 3, accuracy: 1e-15)
        XCTAssertEqual(e.weightedLoss, e.loss)
        // Rows 1 and 3 are right; row 2 is a three-way tie, decided for the first class.
        XCTAssertEqual(e.correct, 3)
        // Weighted: divided by N = 3, not by the sum of the weights.
        try ce.setWeights([0.5, 2, 4])
        let w = try ce.evaluate(output, labels: labels, gradient: nil)
        XCTAssertEqual(w.weightedLoss, (4 * l0 + 0.5 * l1 + 2 * l2) / 3, accuracy: 1e-15)
        XCTAssertEqual(w.loss, e.loss, accuracy: 1e-15)
        XCTAssertEqual(try ce.forward(output, labels: labels), w.weightedLoss)
    }

    func testCrossEntropyIsStableForLargeLogits() throws {
        let e = try CrossEntropyLoss().evaluate(Tensor(shape: [2, 2], values: [1000, 0, -1000, 1000]), labels: [1, 0], gradient: nil)
        // Row 1: log(e^1000 + 1) - 0 = 1000 (to double precision); row 2: 2000.
        XCTAssertEqual(e.loss, 1500, accuracy: 1e-9)
        let g = try CrossEntropyLoss().backward(Tensor(shape: [1, 2], values: [1000, 0]), labels: [1])
        XCTAssertEqual(g.toArray(), [1, -1])
    }

    func testMSEClosedForm() throws {
        let out = try Tensor(shape: [2, 2], values: [0.5, 0.2, 0.1, 0.9])
        // Row 1 (label 1): 0.25 + 0.04 = 0.29; row 2 (label 2): 0.01 + 0.01 = 0.02.
        let mse = try MSELoss()
        let e = try mse.evaluate(out, labels: [0, 1], gradient: nil)
        XCTAssertEqual(e.loss, 0.155, accuracy: 1e-15)
        XCTAssertEqual(e.correct, 2)
        try mse.setWeights([2, 1])
        XCTAssertEqual(try mse.forward(out, labels: [0, 1]), (2 * 0.29 + 0.02) / 2, accuracy: 1e-15)
        // Gradient: 2 w (x - onehot) / N.
        let g = try mse.backward(out, labels: [0, 1]).toArray()
        let want: [Double] = [-1, 0.4, 0.1, -0.1]  // 2*2*(-0.5)/2, 2*2*0.2/2, 2*1*0.1/2, 2*1*(-0.1)/2
        for i in 0..<4 { XCTAssertEqual(g[i], want[i], accuracy: 1e-15) }
    }

    func testLossGradientsAgainstFiniteDifferences() throws {
        let x = try FD.random([5, 4], seed: 3, -2, 2)
        let y = [3, 0, 1, 1, 2]
        for loss in [try CrossEntropyLoss(), try CrossEntropyLoss(weights: [0.2, 3, 1, 0.7]),
                     try MSELoss(), try MSELoss(weights: [1.5, 0.1, 2, 1]) as Loss] {
            let analytic = try loss.backward(x, labels: y).toArray()
            let numeric = try FD.gradient(of: { try loss.forward(x, labels: y) }, wrt: x)
            XCTAssertLessThanOrEqual(FD.relativeError(analytic, numeric), 1e-6, loss.description)
        }
    }

    func testFusedEvaluationMatchesSeparateCalls() throws {
        let x = try FD.random([6, 3], seed: 4, -2, 2)
        let y = [0, 1, 2, 2, 1, 0]
        for loss in [try CrossEntropyLoss(weights: [1, 2, 3]), try MSELoss(weights: [0.5, 1, 1.5]) as Loss] {
            let g = try Tensor(uninitialized: x.shape)
            let e = try loss.evaluate(x, labels: y, gradient: g)
            XCTAssertEqual(e.weightedLoss, try loss.forward(x, labels: y))
            XCTAssertEqual(g.toArray(), try loss.backward(x, labels: y).toArray())
            // Unweighted loss = the same loss with its weights reset.
            let w = loss.weights
            try loss.setWeights(nil)
            XCTAssertEqual(e.loss, try loss.forward(x, labels: y), accuracy: 1e-15)
            try loss.setWeights(w)
            // Correct count by an independent argmax.
            let rows = (0..<6).map { r in (0..<3).map { x.value(at: [r, $0]) } }
            XCTAssertEqual(e.correct, zip(rows, y).filter { $0.0.firstIndex(of: $0.0.max()!) == $0.1 }.count)
        }
    }

    func testFloat32Evaluation() throws {
        let x = try FD.random([4, 3], seed: 5)
        let y = [0, 2, 1, 1]
        let ce = try CrossEntropyLoss(weights: [1, 2, 0.5])
        let g32 = try Tensor(uninitialized: [4, 3], dtype: .float32)
        let e32 = try ce.evaluate(x.converted(to: .float32), labels: y, gradient: g32)
        let e64 = try ce.evaluate(x, labels: y, gradient: nil)
        XCTAssertEqual(e32.weightedLoss, e64.weightedLoss, accuracy: 1e-6)
        for (a, b) in zip(g32.toArray(), try ce.backward(x, labels: y).toArray()) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }

    func testLabelErrorsNameRowAndValue() throws {
        let ce = try CrossEntropyLoss()
        XCTAssertEqual(message { _ = try ce.labels(fromOneBased: [1, 2, 4], for: self.output) }, "CrossEntropyLoss: row 3: label 4 outside 1..3")
        XCTAssertEqual(message { _ = try ce.labels(fromOneBased: [0, 2, 3], for: self.output) }, "CrossEntropyLoss: row 1: label 0 outside 1..3")
        XCTAssertEqual(message { _ = try ce.labels(fromOneBased: [1, 1.5, 3], for: self.output) }, "CrossEntropyLoss: row 2: label 1.5 is not an integer")
        XCTAssertEqual(message { _ = try ce.labels(fromOneBased: [1, .nan, 3], for: self.output) }, "CrossEntropyLoss: row 2: label nan is not an integer")
        XCTAssertEqual(message { _ = try ce.labels(fromOneBased: [1, 2], for: self.output) }, "CrossEntropyLoss: 2 labels for 3 rows")
        XCTAssertEqual(try ce.labels(fromOneBased: [3, 1, 2], for: output), [2, 0, 1])
        XCTAssertEqual(message { _ = try ce.evaluate(self.output, labels: [0, 3, 1], gradient: nil) }, "CrossEntropyLoss: row 2: label 4 outside 1..3")
        XCTAssertEqual(message { _ = try MSELoss().evaluate(self.output, labels: [0], gradient: nil) }, "MSELoss: 1 label for 3 rows")
    }

    func testWeightErrors() throws {
        let ce = try CrossEntropyLoss(weights: [1, 2])
        XCTAssertEqual(message { _ = try ce.forward(self.output, labels: self.labels) }, "CrossEntropyLoss: 3 classes, 2 weights")
        XCTAssertEqual(message { try ce.setWeights([1, .infinity]) }, "CrossEntropyLoss: weight 2 is inf (weights must be finite)")
        XCTAssertEqual(message { try ce.setWeights([]) }, "CrossEntropyLoss: weights must not be empty")
        XCTAssertEqual(message { try ce.setWeights(Tensor(zeros: [2, 2])) }, "CrossEntropyLoss: weights must be 1-D, got shape (2x2)")
        try ce.setWeights(Tensor(shape: [3], values: [1, 2, 3]))
        XCTAssertEqual(ce.weights, [1, 2, 3])
        try ce.setWeights(Tensor(shape: [3], values: [3, 2, 1]))
        XCTAssertEqual(try ce.weightsTensor()!.toArray(), [3, 2, 1])
        XCTAssertEqual(ce.description, "CrossEntropyLoss(weights = {3, 2, 1})")
        // A non-finite weight, from a tensor or a buffer, leaves the weights as they were.
        XCTAssertEqual(message { try ce.setWeights(Tensor(shape: [3], values: [1, .nan, 1])) },
                       "CrossEntropyLoss: weight 2 is nan (weights must be finite)")
        XCTAssertEqual(message { try [4, 5, -.infinity].withUnsafeBufferPointer { try ce.setWeights($0) } },
                       "CrossEntropyLoss: weight 3 is -inf (weights must be finite)")
        XCTAssertEqual(ce.weights, [3, 2, 1])
        try [0.5, 1, 2].withUnsafeBufferPointer { try ce.setWeights($0) }
        XCTAssertEqual(ce.weights, [0.5, 1, 2])
        try ce.setWeights(nil)
        XCTAssertNil(try ce.weightsTensor())
        XCTAssertEqual(message { _ = try ce.forward(Tensor(zeros: [3]), labels: [0, 0, 0]) },
                       "CrossEntropyLoss: expected a 2-D output (rows are samples, columns classes), got shape (3)")
        let g = try Tensor(zeros: [3, 2])
        XCTAssertEqual(message { _ = try ce.evaluate(self.output, labels: self.labels, gradient: g) },
                       "CrossEntropyLoss: gradient buffer must be a contiguous float64 tensor of shape (3x3), got float64 (3x2)")
    }
}

import XCTest
@testable import DynCore

/// The C kernels abort on a tiny dimension outside 1...8 or a label outside 0..<C (they do not
/// check per call what their callers check once). These are the Swift checks that keep every
/// script-reachable call inside that contract: each bad value is a thrown error first.
final class KernelContractTests: XCTestCase {
    private func message(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch { return (error as? TensorError)?.message ?? "\(error)" }
    }

    /// Layer sizes (the kernels' k and m) are >= 1 however a Linear is made.
    func testLinearSizesArePositive() throws {
        for (i, o) in [(0, 3), (3, 0), (-1, 2), (0, 0)] {
            XCTAssertEqual(message { _ = try Linear(i, o) }, "Linear: sizes must be positive, got \(i) -> \(o)")
        }
        for shape in [[0, 3], [3, 0], [3]] {
            XCTAssertNotNil(message { _ = try Linear(weight: Tensor(zeros: shape), bias: nil) }, "\(shape)")
        }
    }

    /// Labels reach the cross-entropy kernel only after ClassLabels.check, in a loss and in training.
    func testLabelsAreCheckedBeforeTheKernel() throws {
        let ce = try CrossEntropyLoss()
        let out = try Tensor(zeros: [2, 3])
        XCTAssertEqual(message { _ = try ce.evaluate(out, labels: [0, 3], gradient: nil) }, "CrossEntropyLoss: row 2: label 4 outside 1..3")
        XCTAssertEqual(message { _ = try ce.evaluate(out, labels: [-1, 0], gradient: nil) }, "CrossEntropyLoss: row 1: label 0 outside 1..3")
        var g = Generator(seed: 1)
        let model = try Sequential([try Linear(2, 12, generator: &g), ReLU(), try Linear(12, 3, generator: &g)])
        XCTAssertEqual(message {
            _ = try Trainer(model: model, loss: ce, optimizer: try SGD(module: model, lr: 0.1), schedule: nil,
                            x: Tensor(zeros: [2, 2]), labels: [0, 5], classes: 3, configuration: .init(steps: 1))
        }, "train.fit: row 2: label 6 outside 1..3")
    }

    /// The fused step takes k, m in 1...8 and at least one row; anything else goes to the modules.
    func testFusedStepOnlyWithinItsShapes() throws {
        var g = Generator(seed: 1)
        let model = try Sequential([try Linear(2, 12, generator: &g), ReLU(), try Linear(12, 3, generator: &g)])
        let fused = try XCTUnwrap(FusedMLPStep(model: model, loss: try CrossEntropyLoss(), classes: 3))
        XCTAssertFalse(fused.applies(to: try Tensor(zeros: [0, 2])), "no rows")
        XCTAssertFalse(fused.applies(to: try Tensor(zeros: [2])), "1-D")
        XCTAssertTrue(fused.applies(to: try Tensor(zeros: [1, 2])))
    }
}

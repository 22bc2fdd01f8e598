import Foundation
import XCTest
@testable import DynCore

/// The checkpoint text on its own: every field round-trips bit for bit, and hand-made files
/// with a valid checksum but absurd contents are clean errors.
final class TrainingCheckpointTests: XCTestCase {
    func sample() -> TrainingCheckpoint {
        var h = TrainingHistory(classes: 2)
        h.step = [1, 3]; h.loss = [0.1, .infinity]; h.weightedLoss = [-0.0, 1e-310]; h.accuracy = [0.5, 1]
        h.weights = [1, 2, 3, .nan]
        h.analysisStep = [1]; h.hessianTop = [[3.25, -1e300]]; h.ntkMax = [.nan]
        let hook = SavedValue.table(keys: [.string(Array("name".utf8)), .integer(-7), .boolean(true)],
                                    values: [.string([0, 10, 13, 255]), .number(0.1), .table(keys: [], values: [])])
        return TrainingCheckpoint(run: [("rows", "4"), ("batch_size", "full")], step: 3, stopped: true,
                                  parameters: [[1.5, -2], [Double.pi]], optimizerSteps: 3, learningRate: 0.01,
                                  optimizerState: [[0, 5e-324]], sampler: .init(generator: [1, 2, 3, UInt64.max], order: [2, 0, 1, 3], position: 2),
                                  globalGenerator: [9, 8, 7, 6], history: h, warmStart: [[0.6, 0.8]], hook: hook)
    }

    func parse(_ text: String) throws -> TrainingCheckpoint {
        try TrainingCheckpoint.parse(text, name: "ck", classes: 2, validation: false) { _ in }
    }

    func bits(_ v: [Double]) -> [UInt64] { v.map(\.bitPattern) }

    func testEveryFieldRoundTrips() throws {
        let a = sample()
        let b = try parse(a.text())
        XCTAssertEqual(b.run.map { "\($0.key)=\($0.value)" }, ["rows=4", "batch_size=full"])
        XCTAssertEqual(b.step, 3)
        XCTAssertTrue(b.stopped)
        XCTAssertEqual(b.parameters.map(bits), a.parameters.map(bits))
        XCTAssertEqual(b.optimizerSteps, 3)
        XCTAssertEqual(b.learningRate, 0.01)
        XCTAssertEqual(b.optimizerState.map(bits), a.optimizerState.map(bits))
        XCTAssertEqual(b.sampler, a.sampler)
        XCTAssertEqual(b.globalGenerator, a.globalGenerator)
        XCTAssertEqual(b.history.step, [1, 3])
        XCTAssertEqual(bits(b.history.loss), bits(a.history.loss))
        XCTAssertEqual(bits(b.history.weightedLoss), bits(a.history.weightedLoss))  // -0.0 and a subnormal
        XCTAssertEqual(bits(b.history.weights).prefix(3), bits(a.history.weights).prefix(3))
        XCTAssertTrue(b.history.weights[3].isNaN)
        XCTAssertEqual(b.history.analysisStep, [1])
        XCTAssertEqual(b.history.hessianTop.map(bits), a.history.hessianTop.map(bits))
        XCTAssertTrue(b.history.ntkMax[0].isNaN)
        XCTAssertEqual(b.warmStart.map(bits), a.warmStart.map(bits))
        XCTAssertEqual(b.hook, a.hook)
    }

    /// With eval_every, only some records carry validation values; with augment, the
    /// augmentation's generator has its own line.
    func testValidationSubsetAndAugmentGeneratorRoundTrip() throws {
        var a = sample()
        a.history.valStep = [3]; a.history.valLoss = [0.25]; a.history.valAccuracy = [0.75]
        a.augmentGenerator = [5, 0, UInt64.max, 1]
        let text = a.text()
        XCTAssertTrue(text.contains("\naugment 5 0 18446744073709551615 1\n"))
        let b = try TrainingCheckpoint.parse(text, name: "ck", classes: 2, validation: true, augment: true) { _ in }
        XCTAssertEqual(b.history.step, [1, 3])
        XCTAssertEqual(b.history.valStep, [3])
        XCTAssertEqual(b.history.valLoss, [0.25])
        XCTAssertEqual(b.history.valAccuracy, [0.75])
        XCTAssertEqual(b.augmentGenerator, [5, 0, UInt64.max, 1])
        // Read without augment, the augment line is where the history should be.
        XCTAssertThrowsError(try TrainingCheckpoint.parse(text, name: "ck", classes: 2, validation: true) { _ in })
        // A record with one value too many is corrupt.
        let body = String(text[..<text.range(of: "checksum fnv1a64")!.lowerBound])
        let bad = ChecksummedText.seal(body.replacingOccurrences(of: "record 3 inf", with: "record 3 inf 9"))
        XCTAssertThrowsError(try TrainingCheckpoint.parse(bad, name: "ck", classes: 2, validation: true, augment: true) { _ in }) {
            XCTAssertTrue("\($0)".contains("expected 6 or 8 values in a record"), "\($0)")
        }
    }

    func message(_ body: String) -> String {
        do { _ = try parse(ChecksummedText.seal("dynlua-checkpoint 1\n" + body)); return "no error" }
        catch { return (error as? TensorError)?.message ?? "\(error)" }
    }

    /// Counts near Int.max (which a sum would overflow) and other nonsense behind a valid checksum.
    func testHostileContentsAreCleanErrors() throws {
        let head = "run rows=4\nstep 3 0\n"
        XCTAssertEqual(message(head + "parameters 1\n9223372036854775807 1 2\n"),
                       "train.fit: resume: 'ck' is corrupt at line 5: expected 9223372036854775807 numbers (a parameter), found 2")
        XCTAssertEqual(message(head + "parameters 9223372036854775807\n"),
                       "train.fit: resume: 'ck' is truncated (the file ends where a parameter was expected)")
        let upToSampler = head + "parameters 0\noptimizer 0 0.1 0\n"
        XCTAssertEqual(message(upToSampler + "sampler 0 1 2 3 4 9223372036854775807 0\n"),
                       "train.fit: resume: 'ck' is corrupt at line 6: expected 9223372036854775807 row numbers in the sampler line")
        XCTAssertEqual(message(upToSampler + "sampler 0 0 0 0 0 0\ngenerator 1 1 1 1\n"),
                       "train.fit: resume: 'ck' is corrupt at line 7: a generator state is all zeros")
        let upToHistory = upToSampler + "sampler 0 1 1 1 1 0\ngenerator 1 1 1 1\n"
        XCTAssertEqual(message(upToHistory + "history 0 1\nanalysis 1 0.5 9223372036854775807 1\n"),
                       "train.fit: resume: 'ck' is corrupt at line 9: expected 9223372036854775807 eigenvalues in an analysis line")
        XCTAssertEqual(message(upToHistory + "history 0 0\nwarmstart 0\nhook 1\n" + String(repeating: "t 1\n", count: 150)),
                       "train.fit: resume: 'ck' is corrupt at line 111: saved tables nested more than 100 deep")
        XCTAssertEqual(message(upToHistory + "history 0 0\nwarmstart 0\nhook 1\ns 0g\nend\n"),
                       "train.fit: resume: 'ck' is corrupt at line 11: 's 0g' is not a saved value")
        XCTAssertEqual(message(upToHistory + "history 0 0\nwarmstart 0\nhook 0\nend\n"), "no error")
    }
}

/// The progress line's text: the epoch for minibatch training, val_acc once validation ran.
final class ProgressLineTests: XCTestCase {
    func testText() {
        XCTAssertEqual(ProgressLine.text(step: 1200, total: 4000, batchesPerEpoch: 400, loss: 0.43125, accuracy: 0.8734,
                                         valAccuracy: 0.85, seconds: 10),
                       "epoch 3/10  step 1200/4000  loss 0.4313  acc 0.873  val_acc 0.850  120 steps/s  ETA 23s")
        // Step 400 is the last of epoch 1; 4001 steps need an 11th epoch.
        XCTAssertTrue(ProgressLine.text(step: 400, total: 4001, batchesPerEpoch: 400, loss: 1, accuracy: 0.5,
                                        valAccuracy: nil, seconds: 1).hasPrefix("epoch 1/11  step 400/4001  loss 1.0000  acc 0.500  400 steps/s"))
        XCTAssertEqual(ProgressLine.text(step: 5, total: 10, batchesPerEpoch: 1, loss: 2, accuracy: 1, valAccuracy: nil, seconds: 0),
                       "step 5/10  loss 2.0000  acc 1.000  0 steps/s  ETA 0s")
        // Resumed at step 1001: the rate counts the steps this process ran.
        XCTAssertEqual(ProgressLine.text(step: 1100, total: 2000, batchesPerEpoch: 1, loss: 2, accuracy: 1, valAccuracy: nil,
                                         seconds: 2, firstStep: 1001), "step 1100/2000  loss 2.0000  acc 1.000  50 steps/s  ETA 18s")
    }
}

import Foundation

/// A one-line progress display on stderr ("epoch 3/10  step 1200/4000  loss 0.4312  acc 0.873
/// val_acc 0.851  21 steps/s  ETA 3s"; the epoch only for minibatch training, val_acc once
/// validation ran), redrawn at most four times a second; shown only when stderr is a terminal.
struct ProgressLine {
    let total: Int
    let batchesPerEpoch: Int
    let enabled: Bool
    /// The first step this process runs (after a resume, the steps before took no time here).
    var firstStep = 1
    private let start = DispatchTime.now().uptimeNanoseconds
    private var lastDraw: UInt64 = 0
    private var valAccuracy: Double? = nil

    init(total: Int, batchesPerEpoch: Int = 1, enabled: Bool) {
        self.total = total
        self.batchesPerEpoch = max(batchesPerEpoch, 1)
        self.enabled = enabled && isatty(2) != 0
    }

    /// The line's text (without the carriage return and the clearing escape).
    static func text(step: Int, total: Int, batchesPerEpoch: Int, loss: Double, accuracy: Double,
                     valAccuracy: Double?, seconds: Double, firstStep: Int = 1) -> String {
        let rate = seconds > 0 ? Double(step - firstStep + 1) / seconds : 0
        let eta = rate > 0 ? Double(total - step) / rate : 0
        var line = ""
        if batchesPerEpoch > 1 {
            let epochs = total / batchesPerEpoch + (total % batchesPerEpoch == 0 ? 0 : 1)
            line += "epoch \((step - 1) / batchesPerEpoch + 1)/\(epochs)  "
        }
        line += String(format: "step %d/%d  loss %.4f  acc %.3f", step, total, loss, accuracy)
        if let v = valAccuracy { line += String(format: "  val_acc %.3f", v) }
        line += String(format: "  %.0f steps/s  ETA %.0fs", rate, eta)
        return line
    }

    mutating func update(step: Int, loss: Double, accuracy: Double, valAccuracy: Double? = nil) {
        guard enabled else { return }
        if let v = valAccuracy { self.valAccuracy = v }
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - lastDraw > 250_000_000 || step == total else { return }
        lastDraw = now
        let line = ProgressLine.text(step: step, total: total, batchesPerEpoch: batchesPerEpoch, loss: loss,
                                     accuracy: accuracy, valAccuracy: self.valAccuracy,
                                     seconds: Double(now - start) / 1e9, firstStep: firstStep)
        FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

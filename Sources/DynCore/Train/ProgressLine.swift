import Foundation

/// A one-line progress display on stderr ("step 1200/70000  loss 0.4312  acc 0.873  21,532
/// steps/s  ETA 3s"), redrawn at most four times a second; shown only when stderr is a
/// terminal.
struct ProgressLine {
    let total: Int
    let enabled: Bool
    private let start = DispatchTime.now().uptimeNanoseconds
    private var lastDraw: UInt64 = 0

    init(total: Int, enabled: Bool) {
        self.total = total
        self.enabled = enabled && isatty(2) != 0
    }

    mutating func update(step: Int, loss: Double, accuracy: Double) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - lastDraw > 250_000_000 || step == total else { return }
        lastDraw = now
        let seconds = Double(now - start) / 1e9
        let rate = seconds > 0 ? Double(step) / seconds : 0
        let eta = rate > 0 ? Double(total - step) / rate : 0
        let line = String(format: "\rstep %d/%d  loss %.4f  acc %.3f  %.0f steps/s  ETA %.0fs\u{1B}[K",
                          step, total, loss, accuracy, rate, eta)
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

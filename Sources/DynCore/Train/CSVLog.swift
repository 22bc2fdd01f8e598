import Foundation

/// The training log as CSV: one line per recorded step (step, loss, weighted_loss, accuracy,
/// w1..wC, and val_loss, val_accuracy with validation). Lines go to a temporary file beside the
/// target, renamed over it when training ends, so an interrupted run never leaves a
/// half-written log where a complete one was expected.
final class CSVLog {
    let path: String
    let temporaryPath: String
    private let handle: FileHandle
    private var buffer = ""

    init(path: String, classes: Int, validation: Bool, analysis: Int?) throws {
        self.path = path
        let dir = (path as NSString).deletingLastPathComponent
        temporaryPath = (dir.isEmpty ? "" : dir + "/") + ".\((path as NSString).lastPathComponent).tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporaryPath, contents: nil),
              let h = FileHandle(forWritingAtPath: temporaryPath) else {
            throw TensorError("train.fit: cannot write log '\(path)'")
        }
        handle = h
        var header = ["step", "loss", "weighted_loss", "accuracy"] + (1...max(classes, 1)).map { "w\($0)" }
        if validation { header += ["val_loss", "val_accuracy"] }
        if let k = analysis { header += (1...max(k, 1)).map { "hessian_\($0)" } + ["ntk_max"] }
        buffer = header.joined(separator: ",") + "\n"
    }

    func write(_ r: StepRecord, analysis: (top: [Double], ntkMax: Double?)?, hessianCount: Int?) {
        var fields = [String(r.step), num(r.loss), num(r.weightedLoss), num(r.accuracy)] + r.weights.map(num)
        if let v = r.valLoss { fields += [num(v), num(r.valAccuracy ?? .nan)] }
        if let k = hessianCount {
            let top = analysis?.top ?? []
            fields += (0..<k).map { $0 < top.count ? num(top[$0]) : "" }
            fields.append(analysis?.ntkMax.map(num) ?? "")
        }
        buffer += fields.joined(separator: ",") + "\n"
        if buffer.utf8.count > 1 << 16 { flush() }
    }

    private func num(_ v: Double) -> String { String(format: "%.17g", v) }

    private func flush() {
        handle.write(Data(buffer.utf8))
        buffer = ""
    }

    /// Completes the file and moves it into place.
    func finish() throws {
        flush()
        try handle.close()
        if rename(temporaryPath, path) != 0 {
            unlink(temporaryPath)
            throw TensorError("train.fit: cannot write log '\(path)' (\(String(cString: strerror(errno))))")
        }
    }

    /// Drops the temporary file (training failed before the log was complete).
    func abandon() {
        try? handle.close()
        unlink(temporaryPath)
    }
}

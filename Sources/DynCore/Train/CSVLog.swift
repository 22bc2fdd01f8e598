import Foundation

/// The training log as CSV: one line per recorded step (step, loss, weighted_loss, accuracy,
/// w1..wC, and val_loss, val_accuracy with validation), numbers as the shortest text that reads
/// back to the same float64 (NumberText). It is an AtomicFile.Writer: lines go to
/// `.NAME.tmp-PID` beside the target, renamed over it when training ends, so an interrupted
/// run never leaves a half-written log where a complete one was expected. The file is created
/// when training starts, so a path that cannot be written fails before the first step.
final class CSVLog {
    private let writer: AtomicFile.Writer
    private var buffer = ""
    private let validation: Bool

    init(path: String, classes: Int, validation: Bool, analysis: Int?) throws {
        writer = try AtomicFile.Writer(path: path, op: "train.fit: log")
        self.validation = validation
        var header = ["step", "loss", "weighted_loss", "accuracy"] + (1...max(classes, 1)).map { "w\($0)" }
        if validation { header += ["val_loss", "val_accuracy"] }
        if let k = analysis { header += (1...max(k, 1)).map { "hessian_\($0)" } + ["ntk_max"] }
        buffer = header.joined(separator: ",") + "\n"
    }

    func write(_ r: StepRecord, analysis: (top: [Double], ntkMax: Double?)?, hessianCount: Int?) throws {
        var fields = [String(r.step), num(r.loss), num(r.weightedLoss), num(r.accuracy)] + r.weights.map(num)
        // Empty at a step where validation did not run (eval_every).
        if validation { fields += r.valLoss.map { [num($0), num(r.valAccuracy ?? .nan)] } ?? ["", ""] }
        if let k = hessianCount {
            let top = analysis?.top ?? []
            fields += (0..<k).map { $0 < top.count ? num(top[$0]) : "" }
            fields.append(analysis?.ntkMax.map(num) ?? "")
        }
        buffer += fields.joined(separator: ",") + "\n"
        if buffer.utf8.count > 1 << 16 { try flush() }
    }

    /// Writes the lines of records restored from a checkpoint.
    func replay(_ h: TrainingHistory, hessianCount: Int?) throws {
        var v = 0
        for i in 0..<h.count {
            let evaluated = v < h.valStep.count && h.valStep[v] == h.step[i]
            let r = StepRecord(step: h.step[i], loss: h.loss[i], weightedLoss: h.weightedLoss[i], accuracy: h.accuracy[i],
                               weights: Array(h.weights(at: i)), valLoss: evaluated ? h.valLoss[v] : nil,
                               valAccuracy: evaluated ? h.valAccuracy[v] : nil, classAccuracy: [])
            if evaluated { v += 1 }
            let a = h.analysisStep.firstIndex(of: h.step[i]).map { (top: h.hessianTop[$0], ntkMax: Optional(h.ntkMax[$0])) }
            try write(r, analysis: a, hessianCount: hessianCount)
        }
    }

    private func num(_ v: Double) -> String { NumberText.shortest(v) }

    private func flush() throws {
        try writer.append(buffer)
        buffer = ""
    }

    /// Completes the file and moves it into place.
    func finish() throws {
        try flush()
        try writer.commit(durable: true)
    }

    /// Drops the temporary file (training failed before the log was complete).
    func abandon() { writer.abandon() }
}

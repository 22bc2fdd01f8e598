import Foundation

/// The whole state of a `train.fit` run after a step, saved by its `checkpoint` option and read
/// back by `resume`, so that a run killed at any point and started again with the same command
/// ends with the same parameters and history, bit for bit, as a run never interrupted.
///
/// Saved: the parameters (followed by the model's running state: BatchNorm2d's statistics,
/// Dropout's pass counts), the optimizer's step count, learning rate and buffers (momentum,
/// Adam's moments), the minibatch sampler (its generator, the epoch's order and position), the
/// global generator (tensor.rand and friends in callbacks), the history so far, the landscape
/// tracker's warm start, and whatever `on_checkpoint` returns. A built-in schedule is a
/// function of the step, so its position is the step. Not saved: state that Lua functions keep
/// in upvalues (a custom schedule's or on_step's own counters): that is what the hooks are for.
///
/// The file is text in the family of model files (ChecksummedText: a checksum line last), so a
/// damaged or truncated checkpoint is an error rather than a silently different run:
///
///     dynlua-checkpoint 1
///     run rows=300 columns=2 classes=3 batch_size=full ...   the settings a resume must share
///     step <completed steps> <stopped: 0|1>
///     parameters <k>, then k lines "<n> <n numbers>"
///     optimizer <step count> <lr> <k>, then k lines "<n> <n numbers>"
///     sampler <position> <4 generator words> <rows> <order...>
///     generator <4 words>
///     augment <4 words>                       (only with train.fit's augment)
///     history <records> <analysis records>, then "record ..." and "analysis ..." lines
///     warmstart <k>, then k lines "<n> <n numbers>"
///     hook <0|1>, then the saved value (SavedValue)
///     end
///     checksum fnv1a64 <16 hex digits>
public struct TrainingCheckpoint {
    public struct Configuration {
        public var path: String
        public var every: Int
        public init(path: String, every: Int) { self.path = path; self.every = every }
    }

    public static let magic = "dynlua-checkpoint"
    public static let version = 1

    var run: [(key: String, value: String)]
    var step: Int
    var stopped: Bool
    var parameters: [[Double]]
    var optimizerSteps: Int
    var learningRate: Double
    var optimizerState: [[Double]]
    var sampler: BatchSampler.State
    var globalGenerator: [UInt64]
    var augmentGenerator: [UInt64]?
    var history: TrainingHistory
    var warmStart: [[Double]]
    var hook: SavedValue?

    // MARK: text

    func text() -> String {
        var out = "\(Self.magic) \(Self.version)\n"
        out += "run " + run.map { "\($0.key)=\($0.value)" }.joined(separator: " ") + "\n"
        out += "step \(step) \(stopped ? 1 : 0)\n"
        func vectors(_ vs: [[Double]]) {
            for v in vs {
                out += String(v.count)
                for d in v { out += " "; out += d.description }
                out += "\n"
            }
        }
        out += "parameters \(parameters.count)\n"
        vectors(parameters)
        out += "optimizer \(optimizerSteps) \(learningRate) \(optimizerState.count)\n"
        vectors(optimizerState)
        out += "sampler \(sampler.position) " + sampler.generator.map(String.init).joined(separator: " ")
            + " \(sampler.order.count)" + sampler.order.map { " \($0)" }.joined() + "\n"
        out += "generator " + globalGenerator.map(String.init).joined(separator: " ") + "\n"
        if let a = augmentGenerator { out += "augment " + a.map(String.init).joined(separator: " ") + "\n" }
        let h = history
        out += "history \(h.count) \(h.analysisStep.count)\n"
        var v = 0  // the next validation measurement (at a subset of the recorded steps)
        for i in 0..<h.count {
            var fields = ["record", "\(h.step[i])", "\(h.loss[i])", "\(h.weightedLoss[i])", "\(h.accuracy[i])"]
            fields += h.weights(at: i).map { "\($0)" }
            if v < h.valStep.count, h.valStep[v] == h.step[i] {
                fields += ["\(h.valLoss[v])", "\(h.valAccuracy[v])"]
                v += 1
            }
            out += fields.joined(separator: " ") + "\n"
        }
        for i in 0..<h.analysisStep.count {
            out += "analysis \(h.analysisStep[i]) \(h.ntkMax[i]) \(h.hessianTop[i].count)"
                + h.hessianTop[i].map { " \($0)" }.joined() + "\n"
        }
        out += "warmstart \(warmStart.count)\n"
        vectors(warmStart)
        out += "hook \(hook == nil ? 0 : 1)\n"
        hook?.write(into: &out)
        return ChecksummedText.seal(out + "end\n")
    }

    /// Reads a checkpoint; `checkRun` sees the run settings before the rest is read (whose
    /// layout depends on them).
    static func parse(_ text: String, name: String, classes: Int, validation: Bool, augment: Bool = false,
                      checkRun: ([(key: String, value: String)]) throws -> Void) throws -> TrainingCheckpoint {
        let op = "train.fit: resume"
        let lines = ChecksummedText.lines(text)
        _ = try Checkpoint.formatVersion(lines.first, magic: magic, readable: version...version, name: name,
                                         op: op, what: "training checkpoint")
        let unread = Checkpoint.Reader(lines: [], name: name, op: op)
        var r = Checkpoint.Reader(lines: try ChecksummedText.verify(lines) { unread.damaged($0) }, name: name, op: op)
        _ = r.next()

        func fields(_ keyword: String, atLeast n: Int) throws -> [Substring] {
            guard let line = r.next() else { throw r.truncated("the '\(keyword)' line") }
            let w = line.split(separator: " ", omittingEmptySubsequences: false)
            guard w.first.map(String.init) == keyword, w.count >= n + 1 else { throw r.corrupt("expected a '\(keyword)' line") }
            return Array(w.dropFirst())
        }
        func int(_ s: Substring) throws -> Int {
            guard let v = Int(s), v >= 0 else { throw r.corrupt("'\(s.prefix(40))' is not a count") }
            return v
        }
        func double(_ s: Substring) throws -> Double {
            guard let v = Double(s) else { throw r.corrupt("'\(s.prefix(40))' is not a number") }
            return v
        }
        func word(_ s: Substring) throws -> UInt64 {
            guard let v = UInt64(s) else { throw r.corrupt("'\(s.prefix(40))' is not a generator word") }
            return v
        }
        func vectors(_ count: Int, _ what: String) throws -> [[Double]] {
            // A loop, not (0..<count).map: map reserves `count` slots up front, and a count read
            // from a hostile file overflows that size computation (heap corruption seen with Int.max).
            var result: [[Double]] = []
            for _ in 0..<count {
                guard let line = r.next() else { throw r.truncated(what) }
                let w = line.split(separator: " ", omittingEmptySubsequences: false)
                let n = try int(w[0])
                guard w.count - 1 == n else { throw r.corrupt("expected \(n) numbers (\(what)), found \(w.count - 1)") }
                result.append(try w.dropFirst().map(double))
            }
            return result
        }

        let runFields = try fields("run", atLeast: 0)
        let run: [(key: String, value: String)] = try runFields.map {
            let kv = $0.split(separator: "=", maxSplits: 1)
            guard kv.count == 2 else { throw r.corrupt("expected key=value settings") }
            return (String(kv[0]), String(kv[1]))
        }
        try checkRun(run)
        let stepLine = try fields("step", atLeast: 2)
        let step = try int(stepLine[0])
        guard stepLine[1] == "0" || stepLine[1] == "1" else { throw r.corrupt("expected 'step <count> <0|1>'") }
        let parameters = try vectors(try int(try fields("parameters", atLeast: 1)[0]), "a parameter")
        let opt = try fields("optimizer", atLeast: 3)
        let optimizerState = try vectors(try int(opt[2]), "an optimizer buffer")
        let s = try fields("sampler", atLeast: 6)
        let orderCount = try int(s[5])
        guard s.count - 6 == orderCount else { throw r.corrupt("expected \(orderCount) row numbers in the sampler line") }
        let sampler = BatchSampler.State(generator: try s[1...4].map(word), order: try s[6...].map(int), position: try int(s[0]))
        let global = try fields("generator", atLeast: 4)[0..<4].map(word)
        let augmentWords = augment ? try fields("augment", atLeast: 4)[0..<4].map(word) : nil
        guard sampler.generator.contains(where: { $0 != 0 }), global.contains(where: { $0 != 0 }),
              augmentWords?.contains(where: { $0 != 0 }) ?? true else {
            throw r.corrupt("a generator state is all zeros")
        }

        let hl = try fields("history", atLeast: 2)
        var h = TrainingHistory(classes: classes)
        // With validation, a record has its two values where validation ran (eval_every).
        let recordWidth = 4 + classes
        for _ in 0..<(try int(hl[0])) {
            let f = try fields("record", atLeast: recordWidth)
            let evaluated = validation && f.count == recordWidth + 2
            guard f.count == recordWidth || evaluated else {
                throw r.corrupt("expected \(recordWidth)\(validation ? " or \(recordWidth + 2)" : "") values in a record")
            }
            h.step.append(try int(f[0]))
            h.loss.append(try double(f[1])); h.weightedLoss.append(try double(f[2])); h.accuracy.append(try double(f[3]))
            h.weights += try f[4..<(4 + classes)].map(double)
            if evaluated {
                h.valStep.append(h.step.last!)
                h.valLoss.append(try double(f[4 + classes])); h.valAccuracy.append(try double(f[5 + classes]))
            }
        }
        for _ in 0..<(try int(hl[1])) {
            let f = try fields("analysis", atLeast: 3)
            let k = try int(f[2])
            guard f.count - 3 == k else { throw r.corrupt("expected \(k) eigenvalues in an analysis line") }
            h.analysisStep.append(try int(f[0])); h.ntkMax.append(try double(f[1]))
            h.hessianTop.append(try f[3...].map(double))
        }
        let warmStart = try vectors(try int(try fields("warmstart", atLeast: 1)[0]), "a warm-start vector")
        let hookFlag = try fields("hook", atLeast: 1)[0]
        guard hookFlag == "0" || hookFlag == "1" else { throw r.corrupt("expected 'hook <0|1>'") }
        let hook = hookFlag == "1" ? try SavedValue.read(&r) : nil
        guard r.next() == "end" else { throw r.corrupt("expected 'end'") }
        guard r.next() == nil else { throw r.corrupt("unexpected text after 'end'") }
        return TrainingCheckpoint(run: run, step: step, stopped: stepLine[1] == "1", parameters: parameters,
                                  optimizerSteps: try int(opt[0]), learningRate: try double(opt[1]),
                                  optimizerState: optimizerState, sampler: sampler, globalGenerator: global,
                                  augmentGenerator: augmentWords, history: h, warmStart: warmStart, hook: hook)
    }
}

/// Capturing and restoring a Trainer's state.
extension Trainer {
    /// The settings a checkpoint belongs to: resuming with other data, batching or model would
    /// not continue the same run, so it is an error.
    func runSettings() -> [(key: String, value: String)] {
        var s: [(key: String, value: String)] = [
            ("rows", "\(x.shape[0])"), ("columns", x.shape.dropFirst().map(String.init).joined(separator: "x")), ("classes", "\(classes)"),
            ("batch_size", configuration.batchSize.map { "\($0)" } ?? "full"),
            ("shuffle", "\(configuration.shuffle)"), ("seed", "\(configuration.seed)"),
            ("every", "\(configuration.every)"), ("optimizer", optimizerName),
            ("parameters", model.parameters.map { "\($0.count)" }.joined(separator: ",")),
            ("dtype", model.parameters.first?.dtype.rawValue ?? "none"),
            ("validation", validation.map { "\($0.labels.count)" } ?? "none"),
        ]
        s.append(("analysis", analysis.map { "\($0.every)/\($0.hessianCount)" } ?? "none"))
        // Settings added later appear only when used, so older checkpoints still resume.
        if let lr = optimizer.schedule { s.append(("lr", lr.text.filter { $0 != " " })) }
        if let a = configuration.augmentation { s.append(("augment", a.text)) }
        if let k = configuration.evalEvery { s.append(("eval_every", "\(k)")) }
        return s
    }

    var optimizerName: String {
        switch optimizer {
        case let o as SGD: return o.momentum == 0 ? "SGD" : "SGD+momentum"
        case is Adam: return "Adam"
        default: return "\(type(of: optimizer))"
        }
    }

    /// What the checkpoint's "parameters" lines hold: the parameters, then the running state
    /// (none for most models, whose files are as before).
    var savedModelTensors: [Tensor] { model.parameters + model.runState }

    /// The optimizer's per-parameter buffers, in a fixed order.
    var optimizerStateTensors: [Tensor] {
        switch optimizer {
        case let o as SGD: return o.buffers
        case let o as Adam: return o.firstMoments + o.secondMoments
        default: return []
        }
    }

    func captureCheckpoint(step: Int, stopped: Bool, history: TrainingHistory,
                           sampler: BatchSampler, augmenter: BatchAugmenter? = nil) throws -> TrainingCheckpoint {
        TrainingCheckpoint(run: runSettings(), step: step, stopped: stopped,
                           parameters: savedModelTensors.map { $0.toArray() },
                           optimizerSteps: optimizer.stepCount, learningRate: optimizer.learningRate,
                           optimizerState: optimizerStateTensors.map { $0.toArray() },
                           sampler: sampler.state, globalGenerator: Generator.global.state,
                           augmentGenerator: augmenter?.generator.state, history: history, warmStart: analysis?.warmStart?.get() ?? [],
                           hook: try onCheckpoint?())
    }

    func writeCheckpoint(_ c: TrainingCheckpoint.Configuration, step: Int, stopped: Bool,
                         history: TrainingHistory, sampler: BatchSampler, augmenter: BatchAugmenter?) throws {
        let state = try captureCheckpoint(step: step, stopped: stopped, history: history, sampler: sampler,
                                          augmenter: augmenter)
        try AtomicFile.write(state.text(), to: c.path, op: "train.fit: checkpoint", durable: true)
    }

    /// The checkpoint at `path`, or nil when there is no file (a fresh start).
    func readCheckpoint(_ path: String) throws -> TrainingCheckpoint? {
        let op = "train.fit: resume"
        try FileAccess.check(path, writing: false, op: op)
        var st = stat()
        if stat(path, &st) != 0 && errno == ENOENT { return nil }
        let bytes = try FileAccess.contents(of: path, op: op)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw TensorError("\(op): '\(path)' is not a dynlua training checkpoint file (not text)")
        }
        return try TrainingCheckpoint.parse(text, name: path, classes: classes, validation: validation != nil,
                                            augment: configuration.augmentation != nil) {
            try checkRunSettings($0, path: path)
        }
    }

    /// Puts the saved state back into the model, optimizer, sampler and generators.
    func checkRunSettings(_ saved: [(key: String, value: String)], path: String) throws {
        let op = "train.fit: resume"
        for (s, here) in zip(saved, runSettings()) where s.key != here.key || s.value != here.value {
            throw TensorError("\(op): '\(path)' belongs to another run (\(s.key) \(s.value) there, \(here.value) here); delete it to start over")
        }
        guard saved.count == runSettings().count else { throw TensorError("\(op): '\(path)' belongs to another run; delete it to start over") }
    }

    func restore(_ c: TrainingCheckpoint, from path: String, sampler: inout BatchSampler,
                 augmenter: inout BatchAugmenter?) throws {
        let op = "train.fit: resume"
        guard c.step <= configuration.steps else {
            throw TensorError("\(op): '\(path)' is at step \(c.step), past steps = \(configuration.steps)")
        }
        let buffers = optimizerStateTensors
        guard c.optimizerState.count == buffers.count,
              zip(c.optimizerState, buffers).allSatisfy({ $0.count == $1.count }),
              c.parameters.count == savedModelTensors.count,
              zip(c.parameters, savedModelTensors).allSatisfy({ $0.count == $1.count }),
              c.sampler.order.count == x.shape[0], Set(c.sampler.order) == Set(0..<x.shape[0]),
              c.sampler.position <= x.shape[0], c.history.count <= c.step else {
            throw TensorError("\(op): '\(path)' does not match this model and optimizer")
        }
        for (values, t) in zip(c.parameters, savedModelTensors) { t.assign(values) }
        for (values, t) in zip(c.optimizerState, buffers) { t.assign(values) }
        optimizer.stepCount = c.optimizerSteps
        optimizer.learningRate = c.learningRate
        sampler.state = c.sampler
        if let words = c.augmentGenerator { augmenter?.generator.state = words }
        Generator.global.state = c.globalGenerator
        analysis?.warmStart?.set(c.warmStart)
        try onResume?(c.hook)
    }
}

extension Tensor {
    /// Writes `values` (as many as elements) into this contiguous tensor, rounding to float32
    /// when it is one (exact for values that were float32).
    func assign(_ values: [Double]) {
        precondition(isContiguous && values.count == count)
        switch dtype {
        case .float64: let p = pointer(Double.self); for i in 0..<count { p[i] = values[i] }
        case .float32: let p = pointer(Float.self); for i in 0..<count { p[i] = Float(values[i]) }
        }
    }
}

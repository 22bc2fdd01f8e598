import Foundation

/// The training loop behind `train.fit`, entirely native: per step it asks the weight source
/// for the class weights, runs one forward pass, one fused loss evaluation (unweighted loss,
/// weighted loss, correct predictions and the weighted loss's gradient), one backward pass
/// and one optimizer update; for the paper's network shape the forward, loss and backward
/// run as one kernel (`FusedMLPStep`, same bits). It allocates nothing per step. Metrics of
/// step i are those of step i's own forward pass, at the parameters before step i's update;
/// validation runs at the same parameters. After the last update one more forward pass
/// measures the final parameters (`TrainingHistory.final`).
public final class Trainer {
    public struct Configuration {
        public var steps: Int
        /// nil: full batch.
        public var batchSize: Int?
        public var shuffle = true
        public var seed: UInt64 = 0
        /// Steps 1, 1 + every, 1 + 2 every, ... are recorded, and the last step.
        public var every = 1
        /// `onRecord` is called at steps 1, 1 + K, ... and the last step instead of at the
        /// recorded ones (nil: at the recorded ones).
        public var onStepEvery: Int?
        public var logPath: String?
        public var progress = true
        public var onNonFinite = NonFinitePolicy.error
        /// Validation runs at steps 1, 1 + K, ... and the last step, which are recorded too
        /// (nil: at every recorded step).
        public var evalEvery: Int?
        /// Random crops and flips of each training batch (images only).
        public var augmentation: ImageAugmentation?

        public init(steps: Int) { self.steps = steps }
    }

    public struct Validation {
        public var x: Tensor
        public var labels: [Int]
        public init(x: Tensor, labels: [Int]) { self.x = x; self.labels = labels }
    }

    /// Landscape diagnostics every `every` steps: `measure(step)` runs at the step's
    /// parameters with its loss weights already set, and returns the Hessian's top eigenvalues
    /// and the NTK's largest one.
    public struct Analysis {
        public var every: Int
        public var hessianCount: Int
        public var measure: (Int) throws -> (top: [Double], ntkMax: Double?)
        /// The state carried from one measurement to the next, for checkpoints (Ritz vectors).
        public var warmStart: (get: () -> [[Double]], set: ([[Double]]) -> Void)?
        public init(every: Int, hessianCount: Int, measure: @escaping (Int) throws -> (top: [Double], ntkMax: Double?)) {
            self.every = every; self.hessianCount = hessianCount; self.measure = measure
        }
    }

    public let model: Module
    public let loss: Loss
    public let optimizer: Optimizer
    public let schedule: (any WeightSchedule)?
    public let x: Tensor
    public let labels: [Int]
    public let classes: Int
    public var configuration: Configuration
    public var validation: Validation?
    public var analysis: Analysis?
    /// Called after the update at every recorded step (or every `onStepEvery` steps); returning
    /// false stops training after that step.
    public var onRecord: ((StepRecord) throws -> Bool)?
    /// Polled before every step (Ctrl-C); returning true stops with an "interrupted" error.
    public var interrupted: (() -> Bool)?
    /// Saving the whole state every few steps, and continuing from a saved state
    /// (TrainingCheckpoint.swift); the hooks carry state that only the script knows.
    public var checkpoint: TrainingCheckpoint.Configuration?
    public var resumePath: String?
    public var onCheckpoint: (() throws -> SavedValue?)?
    public var onResume: ((SavedValue?) throws -> Void)?

    public init(model: Module, loss: Loss, optimizer: Optimizer, schedule: (any WeightSchedule)?,
                x: Tensor, labels: [Int], classes: Int, configuration: Configuration) throws {
        guard x.rank >= 2 else { throw TensorError("train.fit: x must have at least 2 dimensions (samples first: (N, features) or (N, C, H, W)), got shape \(shapeText(x.shape))") }
        guard configuration.steps >= 0 else { throw TensorError("train.fit: steps must be >= 0, got \(configuration.steps)") }
        guard configuration.every >= 1 else { throw TensorError("train.fit: every must be >= 1, got \(configuration.every)") }
        if let k = configuration.onStepEvery, k < 1 { throw TensorError("train.fit: on_step_every must be >= 1, got \(k)") }
        if let b = configuration.batchSize, b < 1 { throw TensorError("train.fit: batch_size must be >= 1, got \(b)") }
        if let k = configuration.evalEvery {
            guard k >= 1 else { throw TensorError("train.fit: eval_every must be >= 1, got \(k)") }
        }
        try configuration.augmentation?.check(x, op: "train.fit")
        try ClassLabels.check(labels, rows: x.shape[0], classes: classes, op: "train.fit")
        // A schedule.custom made without `classes` has 0 until its first call fixes them.
        if let s = schedule, s.classes != 0, s.classes != classes {
            throw TensorError("train.fit: the weights schedule has \(s.classes) classes, the data has \(classes)")
        }
        self.model = model; self.loss = loss; self.optimizer = optimizer; self.schedule = schedule
        self.x = x; self.labels = labels; self.classes = classes; self.configuration = configuration
    }

    public func run() throws -> TrainingHistory {
        let config = configuration
        var history = TrainingHistory(classes: classes)
        // Capped inside; no "+ 2" here: steps may be math.maxinteger (the last step is recorded too).
        history.reserve(config.steps / config.every, validation: validation != nil)
        var weights = [Double](repeating: 1, count: classes)
        var sampler = BatchSampler(rows: x.shape[0], batchSize: config.batchSize, shuffle: config.shuffle, seed: config.seed)
        var batches = BatchBuffers()
        var augmenter = config.augmentation.map { BatchAugmenter($0, seed: config.seed) }
        var gradient: Tensor? = nil
        let fused = FusedMLPStep(model: model, loss: loss, classes: classes)
        var progress = ProgressLine(total: config.steps, batchesPerEpoch: sampler.batchesPerEpoch, enabled: config.progress)
        defer { progress.finish() }
        var firstStep = 1, stopped = false
        if let path = resumePath, let saved = try readCheckpoint(path) {
            try restore(saved, from: path, sampler: &sampler, augmenter: &augmenter)
            history = saved.history
            firstStep = saved.step + 1
            progress.firstStep = firstStep
            stopped = saved.stopped
            for path in [config.logPath, checkpoint?.path].compactMap({ $0 }) { AtomicFile.removeStaleTemporaries(of: path) }
        }
        if let checkpoint {
            guard checkpoint.every >= 1 else { throw TensorError("train.fit: checkpoint option 'every' must be >= 1, got \(checkpoint.every)") }
            try AtomicFile.checkWritable(checkpoint.path, op: "train.fit: checkpoint")
        }
        let log = try config.logPath.map {
            try CSVLog(path: $0, classes: classes, validation: validation != nil, analysis: analysis?.hessianCount)
        }
        var completed = false
        defer { if !completed { log?.abandon() } }
        try log?.replay(history, hessianCount: analysis?.hessianCount)

        for step in stride(from: firstStep, through: stopped ? 0 : config.steps, by: 1) {
            if interrupted?() == true { throw TensorError("interrupted") }
            if let schedule {
                try weights.withUnsafeMutableBufferPointer { try schedule.weights(step: step, into: $0) }
                try weights.withUnsafeBufferPointer { try loss.setWeights($0) }
            }
            // Diagnostics first: they may run the model and use its gradient buffers.
            var measured: (top: [Double], ntkMax: Double?)? = nil
            if let analysis, (step - 1) % analysis.every == 0 {
                measured = try analysis.measure(step)
                history.analysisStep.append(step)
                history.hessianTop.append(measured!.top)
                history.ntkMax.append(measured!.ntkMax ?? .nan)
            }
            var (bx, by) = sampler.isFullBatch ? (x, labels) : try batches.gather(x, labels, rows: sampler.next())
            if augmenter != nil { bx = try augmenter!.apply(bx) }
            let output: Tensor, evaluation: LossEvaluation
            model.zeroGrad()
            if let fused, fused.applies(to: bx) {
                evaluation = try fused.run(bx, labels: by)
                output = fused.logits!
            } else {
                output = try model.forward(bx)
                if gradient == nil || gradient!.shape != output.shape || gradient!.dtype != output.dtype {
                    gradient = try Tensor(uninitialized: output.shape, dtype: output.dtype)
                }
                evaluation = try loss.evaluate(output, labels: by, gradient: gradient)
                try model.accumulateParameterGradients(bx, gradient!)
            }
            // The loss is computed anyway; when it is not finite, stop before the update.
            var stop = config.onNonFinite == .continue ? nil : DivergenceStop(step: step, evaluation)
            let last = step == config.steps
            let evaluated = validation != nil && (config.evalEvery.map { (step - 1) % $0 == 0 } ?? true)
            let recorded = stop == nil && ((step - 1) % config.every == 0 || last || (evaluated && config.evalEvery != nil))
            let called = stop == nil && onRecord != nil
                && (config.onStepEvery.map { (step - 1) % $0 == 0 || last } ?? recorded)
            var record: StepRecord? = nil
            if recorded || called {
                // Without a schedule, the loss's own weights (on_step may change them).
                record = StepRecord(step: step, loss: evaluation.loss, weightedLoss: evaluation.weightedLoss,
                                    accuracy: Double(evaluation.correct) / Double(by.count),
                                    weights: schedule == nil ? loss.weights ?? weights : weights,
                                    classAccuracy: onRecord == nil ? [] : try Trainer.classAccuracy(output, by, classes))
            }
            if recorded, validation != nil, evaluated || last {
                let ve = try measureValidation()
                record!.valLoss = ve.loss
                record!.valAccuracy = ve.accuracy
            }
            if config.onNonFinite == .continue { try optimizer.step() }
            else if stop == nil, let bad = try optimizer.stepIfFinite() { stop = DivergenceStop(step: step, bad) }
            if let stop {
                if config.onNonFinite == .error { throw stop.error }
                history.stopped = stop
                break
            }

            var keepGoing = true
            if recorded, let r = record {
                try append(r, to: &history, log: log, analysis: measured)
                progress.update(step: step, loss: r.loss, accuracy: r.accuracy, valAccuracy: r.valAccuracy)
            }
            if called, let r = record, let onRecord { keepGoing = try onRecord(r) }
            if !keepGoing && !recorded, var r = record {
                // on_step stopped the run at a step not otherwise recorded: the last step is
                // always recorded, but validation did not run before this step's update.
                if validation != nil { r.valLoss = .nan; r.valAccuracy = .nan }
                try append(r, to: &history, log: log, analysis: measured)
            }
            if let checkpoint, step % checkpoint.every == 0 || step == config.steps || !keepGoing {
                try writeCheckpoint(checkpoint, step: step, stopped: !keepGoing, history: history, sampler: sampler,
                                    augmenter: augmenter)
            }
            if !keepGoing { break }
        }
        history.final = try ModelEvaluation.measure(model: model, loss: loss, x: x, labels: labels, classes: classes,
                                                    chunkRows: evaluationChunk, op: "train.fit: final")
        if validation != nil { history.finalValidation = try measureValidation(op: "train.fit: final validation") }
        try log?.finish()
        completed = true
        return history
    }

    /// Rows per forward pass of the final measurement: all at once for full-batch training,
    /// else the batch size but at least 1024 (memory stays near that of a training step); for
    /// images the batch size itself: an image's activations are large (1024 28x28 images through
    /// 32 channels hold 100 MB per layer, which the modules would keep), and the modules'
    /// buffers of the training batch's shape are reused.
    var evaluationChunk: Int? { configuration.batchSize.map { x.rank > 2 ? $0 : max($0, 1024) } }

    /// The validation set at the current parameters, in the chunks of the final measurement.
    func measureValidation(op: String = "train.fit: validation") throws -> ModelEvaluation {
        let v = validation!
        return try ModelEvaluation.measure(model: model, loss: loss, x: v.x, labels: v.labels, classes: classes,
                                           chunkRows: evaluationChunk, op: op)
    }

    private func append(_ r: StepRecord, to history: inout TrainingHistory, log: CSVLog?,
                        analysis measured: (top: [Double], ntkMax: Double?)?) throws {
        history.step.append(r.step)
        history.loss.append(r.loss)
        history.weightedLoss.append(r.weightedLoss)
        history.accuracy.append(r.accuracy)
        history.weights += r.weights
        if let v = r.valLoss { history.valStep.append(r.step); history.valLoss.append(v); history.valAccuracy.append(r.valAccuracy!) }
        try log?.write(r, analysis: measured, hessianCount: analysis?.hessianCount)
    }

    /// Accuracy of each class on a batch, from the output rows' argmax (first on ties).
    static func classAccuracy(_ output: Tensor, _ labels: [Int], _ classes: Int) throws -> [Double] {
        var counts = ClassCounts(classes: classes)
        try counts.add(output, labels)
        return counts.accuracy
    }
}

/// Reusable minibatch tensors (one pair per batch size: the full batches and the remainder).
struct BatchBuffers {
    private var buffers: [Int: (Tensor, [Int])] = [:]

    mutating func gather(_ x: Tensor, _ labels: [Int], rows: ArraySlice<Int>) throws -> (Tensor, [Int]) {
        let n = rows.count
        // Taken out of the dictionary while written, so the label array is not copied.
        var shape = x.shape
        shape[0] = n
        var (bx, by) = try buffers.removeValue(forKey: n) ?? (Tensor(uninitialized: shape, dtype: x.dtype), [Int](repeating: 0, count: n))
        if x.isContiguous {
            // Whole samples (rows, or images) with memcpy (the generic strided copy is slow on wide inputs).
            let rowBytes = (x.shape[0] == 0 ? 0 : x.count / x.shape[0]) * x.dtype.byteSize
            let raw = { (t: Tensor) in t.dtype == .float64 ? UnsafeMutableRawPointer(t.pointer(Double.self))
                                                           : UnsafeMutableRawPointer(t.pointer(Float.self)) }
            let src = UnsafeRawPointer(raw(x)), dst = raw(bx)
            for (k, r) in rows.enumerated() {
                (dst + k * rowBytes).copyMemory(from: src + r * rowBytes, byteCount: rowBytes)
                by[k] = labels[r]
            }
        } else {
            for (k, r) in rows.enumerated() {
                try bx.select(0, k).copy(from: x.select(0, r))
                by[k] = labels[r]
            }
        }
        buffers[n] = (bx, by)
        return (bx, by)
    }
}

/// The augmented copy of each training batch, written into a buffer kept per batch size (the
/// full batches and the remainder), from a generator of its own seeded by train.fit's seed.
struct BatchAugmenter {
    let augmentation: ImageAugmentation
    var generator: Generator
    private var buffers: [Int: Tensor] = [:]

    init(_ augmentation: ImageAugmentation, seed: UInt64) {
        self.augmentation = augmentation
        generator = ImageAugmentation.generator(seed: seed)
    }

    mutating func apply(_ batch: Tensor) throws -> Tensor {
        let n = batch.shape[0]
        let out: Tensor
        if let t = buffers[n], t.dtype == batch.dtype { out = t } else {
            out = try Tensor(uninitialized: batch.shape, dtype: batch.dtype)
            buffers[n] = out
        }
        try augmentation.apply(batch, into: out, generator: &generator)
        return out
    }
}

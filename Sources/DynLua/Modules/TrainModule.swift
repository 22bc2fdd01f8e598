import CLua
import CLuaShim
import DynCore

/// The `train` table: `train.fit{...}` runs DynCore's Trainer and returns the history as Lua
/// tables (built once, at the end).
enum TrainModule {
    static let fitOptions = ["model", "loss", "optimizer", "x", "y", "steps", "weights", "batch_size", "shuffle",
                             "seed", "validation", "every", "on_step", "on_step_every", "log", "progress", "analysis",
                             "checkpoint", "resume", "on_checkpoint", "on_resume", "on_nonfinite", "eval_every", "augment"]

    /// Pushes option `name` and checks it with `read`; the value stays on the stack (the caller
    /// keeps it there for the whole run, which also keeps Lua functions alive).
    static func required<T>(_ lua: Lua, _ o: Options, _ name: String, _ what: String, _ read: (Int32) -> T?) throws -> T {
        o.push(name)
        guard let v = read(lua.top) else {
            throw LuaFailure.message("train.fit: option '\(name)' must be \(what), got \(lua.typeName(-1))")
        }
        return v
    }

    /// The label values at index i (a 1-D tensor or a table of numbers), not yet checked.
    static func labelValues(_ lua: Lua, at i: Int32, what: String, op: String = "train.fit") throws -> [Double] {
        if let t = lua.tensor(i) {
            guard t.rank == 1 else { throw LuaFailure.message("\(op): \(what) must be a 1-D tensor of labels, got shape \(shapeText(t.shape))") }
            return t.toArray()
        }
        guard lua.isTable(i) else {
            throw LuaFailure.message("\(op): \(what) must be a tensor or table of labels 1..C, got \(lua.typeName(i))")
        }
        return try lua.checkNumberList(i, what: what)
    }

    /// x (already a tensor) must have samples along its first dimension (rows, or images), one
    /// per label; the messages show the user's shapes, and a transposed x is named as such.
    static func checkRows(_ x: Tensor, labels: Int, x xName: String = "x", y yName: String = "y", op: String = "train.fit") throws {
        guard x.rank >= 2 else {
            throw LuaFailure.message("\(op): \(xName) must have at least 2 dimensions (samples first: (N, features) or (N, C, H, W)), got shape \(shapeText(x.shape))")
        }
        guard x.shape[0] == labels else {
            let hint = x.rank == 2 && x.shape[1] == labels ? " (is \(xName) transposed? rows are samples)" : ""
            throw LuaFailure.message("\(op): rows of \(xName) and labels differ: \(xName) has \(x.shape[0]) row\(x.shape[0] == 1 ? "" : "s") (shape \(shapeText(x.shape))), \(yName) has \(labels) label\(labels == 1 ? "" : "s")\(hint)")
        }
    }

    /// "2 columns" for (N x 2), "samples of shape (1x28x28)" for images.
    static func sampleText(_ x: Tensor) -> String {
        x.rank == 2 ? "\(x.shape[1]) columns" : "samples of shape \(shapeText(Array(x.shape.dropFirst())))"
    }

    static let fit: LuaBody = { guarded($0) { lua in
        try lua.checkTable(1)
        guard lua.ensureStack(40) else { throw LuaFailure.message("train.fit: Lua stack exhausted") }
        let o = try Options(lua, 1, function: "train.fit", allowed: fitOptions)
        let model = try required(lua, o, "model", "a module") { lua.module($0) }
        let loss = try required(lua, o, "loss", "a loss (nn.CrossEntropyLoss or nn.MSELoss)") { try? lua.checkLoss($0) }
        let optimizer = try required(lua, o, "optimizer", "an optimizer (optim.SGD or optim.Adam)") { try? OptimModule.checkOptimizer(lua, $0) }
        let x = try required(lua, o, "x", "a tensor") { lua.tensor($0) }
        guard x.rank >= 2 else {
            throw LuaFailure.message("train.fit: x must have at least 2 dimensions (samples first: (N, features) or (N, C, H, W)), got shape \(shapeText(x.shape))")
        }
        guard let steps = try o.integer("steps") else { throw LuaFailure.message("train.fit: option 'steps' is required") }
        o.push("y")
        let yValues = try labelValues(lua, at: lua.top, what: "y")
        try checkRows(x, labels: yValues.count)
        let classes = try classesProbe(model, x)
        let y = try ClassLabels.fromOneBased(yValues, rows: x.shape[0], classes: classes, op: "train.fit: y")

        o.push("weights")
        let weightsIndex = lua.top
        if lua.isTable(weightsIndex) {
            throw LuaFailure.message("train.fit: option 'weights' must be a schedule or a function of the step, got table (fixed class weights belong to the loss: nn.CrossEntropyLoss{weights = {...}})")
        }
        let schedule: (any WeightSchedule)? = lua.isNoneOrNil(weightsIndex) ? nil
            : try option("weights") { try lua.checkSchedule(weightsIndex, classes: classes, name: "train.fit: weights") }

        var config = Trainer.Configuration(steps: steps)
        config.batchSize = try o.integer("batch_size")
        config.shuffle = try o.boolean("shuffle", default: true)
        config.seed = try o.seed()
        config.every = try o.integer("every", default: 1)
        config.onStepEvery = try o.integer("on_step_every")
        config.logPath = try o.string("log")
        config.progress = try o.boolean("progress", default: true)
        config.onNonFinite = try nonFinitePolicy(o)
        config.evalEvery = try o.integer("eval_every")
        o.push("augment")
        if !lua.isNoneOrNil(-1) { config.augmentation = try augmentOption(lua, lua.top, op: "train.fit") }

        let trainer = try Trainer(model: model, loss: loss, optimizer: optimizer, schedule: schedule,
                                  x: x, labels: y, classes: classes, configuration: config)
        trainer.interrupted = { dyn_take_interrupt() != 0 }

        o.push("validation")
        if !lua.isNoneOrNil(-1) {
            let v = try option("validation") { try Options(lua, -1, function: "train.fit validation", allowed: ["x", "y"]) }
            let vx = try required(lua, v, "x", "a tensor") { lua.tensor($0) }
            v.push("y")
            let values = try labelValues(lua, at: lua.top, what: "validation y")
            try checkRows(vx, labels: values.count, x: "validation x", y: "validation y")
            guard vx.shape.dropFirst() == x.shape.dropFirst() else {
                throw LuaFailure.message("train.fit: validation x has shape \(shapeText(vx.shape)), but x has \(sampleText(x)) (shape \(shapeText(x.shape)))")
            }
            let vy = try ClassLabels.fromOneBased(values, rows: vx.shape[0], classes: classes, op: "train.fit: validation y")
            trainer.validation = Trainer.Validation(x: vx, labels: vy)
        }

        if config.evalEvery != nil && trainer.validation == nil {
            throw LuaFailure.message("train.fit: option 'eval_every' needs validation = {x = ..., y = ...}")
        }

        o.push("analysis")
        if !lua.isNoneOrNil(-1) {
            trainer.analysis = try option("analysis") { try analysisOption(lua, lua.top, trainer: trainer) }
        }

        o.push("on_step")
        let onStepIndex = lua.top
        if !lua.isNoneOrNil(onStepIndex) {
            guard lua.isFunction(onStepIndex) else {
                throw LuaFailure.message("train.fit: option 'on_step' must be a function, got \(lua.typeName(onStepIndex))")
            }
            let callback = LuaCallback(lua, function: onStepIndex, name: "train.fit: on_step")
            trainer.onRecord = { record in try callOnStep(callback, record) }
        } else if config.onStepEvery != nil {
            throw LuaFailure.message("train.fit: option 'on_step_every' needs on_step")
        }

        try TrainCheckpointOptions.apply(lua, o, to: trainer)

        let history = try trainer.run()
        pushHistory(lua, history, validation: trainer.validation != nil)
        return 1
    } }

    /// Runs body on an option's value that train.fit pushed on its stack: an argument error
    /// there would name a stack slot ("bad argument #7"), so it names the option instead.
    static func option<T>(_ name: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch LuaFailure.argument(_, let text) {
            throw LuaFailure.message("train.fit: option '\(name)': \(text)")
        }
    }

    /// The number of classes: the width of the model's output on x's first row. When x does not
    /// fit the model, the error names x's shape and is the model's own on the whole of x, so
    /// that the shapes it shows are the user's, not those of one row.
    static func classesProbe(_ model: Module, _ x: Tensor, op: String = "train.fit") throws -> Int {
        let output: Tensor
        do {
            output = try model.forward(try x.narrow(0, start: 0, length: min(1, x.shape[0])))
        } catch let first {
            var shown = first
            do { _ = try model.forward(x) } catch { shown = error }
            throw LuaFailure.message("\(op): x of shape \(shapeText(x.shape)) does not fit the model: \(shown)")
        }
        guard output.rank == 2 else {
            throw LuaFailure.message("\(op): the model's output must be 2-D (rows x classes), got shape \(shapeText(output.shape))")
        }
        return output.shape[1]
    }

    /// Rows per forward pass of train.evaluate on images when no batch_size is given.
    static let imageChunk = 256

    /// train.evaluate(model, loss, x, y [, {batch_size =}]): loss, accuracy, class_accuracy of
    /// the model as it is.
    static let evaluate: LuaBody = { guarded($0) { lua in
        let op = "train.evaluate"
        guard let model = lua.module(1) else { throw lua.typeError(1, expected: "a module") }
        let loss = try lua.checkLoss(2)
        let x = try lua.checkTensor(3)
        guard !lua.isNoneOrNil(4) else { throw LuaFailure.argument(4, "labels expected (a tensor or table of labels 1..C)") }
        let values = try labelValues(lua, at: 4, what: "y", op: op)
        let o = try Options(lua, 5, function: op, allowed: ["batch_size"])
        let batch = try o.integer("batch_size")
        if let b = batch, b < 1 { throw LuaFailure.message("\(op): batch_size must be >= 1, got \(b)") }
        try checkRows(x, labels: values.count, op: op)
        guard x.shape[0] > 0 else { throw LuaFailure.message("\(op): x has no rows") }
        let classes = try classesProbe(model, x, op: op)
        let labels = try ClassLabels.fromOneBased(values, rows: x.shape[0], classes: classes, op: "\(op): y")
        // Images default to chunks: 10,000 of them through a conv layer in one pass would hold
        // gigabytes of activations.
        let e = try ModelEvaluation.measure(model: model, loss: loss, x: x, labels: labels, classes: classes,
                                            chunkRows: batch ?? (x.rank > 2 ? TrainModule.imageChunk : nil), op: op)
        lua.push(e.loss)
        lua.push(e.accuracy)
        pushList(lua, e.classAccuracy)
        return 3
    } }

    /// `augment = {crop = p, flip = true}` (crop 0 and no flip when left out).
    static func augmentOption(_ lua: Lua, _ i: Int32, op: String) throws -> ImageAugmentation {
        guard lua.isTable(i) else {
            throw LuaFailure.message("\(op): option 'augment' must be a table {crop = p, flip = true}, got \(lua.typeName(i))")
        }
        let a = try Options(lua, i, function: "\(op) augment", allowed: ["crop", "flip"])
        return try ImageAugmentation(crop: try a.integer("crop", default: 0), flip: try a.boolean("flip", default: false),
                                     op: "\(op): augment")
    }

    /// `on_nonfinite = "error" | "stop" | "continue"` (default "error").
    static func nonFinitePolicy(_ o: Options) throws -> NonFinitePolicy {
        guard let text = try o.string("on_nonfinite") else { return .error }
        guard let policy = NonFinitePolicy(rawValue: text) else {
            throw LuaFailure.message("train.fit: option 'on_nonfinite' must be \"error\", \"stop\" or \"continue\", got \"\(text)\"")
        }
        return policy
    }

    /// `analysis = {every = K, hessian_top = k, ntk_points = X, iters = m, seed = s}`.
    static func analysisOption(_ lua: Lua, _ i: Int32, trainer: Trainer) throws -> Trainer.Analysis {
        let a = try Options(lua, i, function: "train.fit analysis", allowed: ["every", "hessian_top", "ntk_points", "iters", "seed"])
        let every = try a.integer("every", default: 25)
        let k = try a.integer("hessian_top", default: 3)
        let iters = try a.integer("iters")
        let seed = try a.seed()
        a.push("ntk_points")
        let points = lua.isNoneOrNil(-1) ? nil : lua.tensor(-1)
        if !lua.isNoneOrNil(-1) && points == nil {
            throw LuaFailure.message("train.fit: analysis option 'ntk_points' must be a tensor, got \(lua.typeName(-1))")
        }
        guard every >= 1 else { throw LuaFailure.message("train.fit: analysis option 'every' must be >= 1, got \(every)") }
        let x = trainer.x
        if let points, points.rank != x.rank || points.shape.dropFirst() != x.shape.dropFirst() {
            throw LuaFailure.message("train.fit: analysis option 'ntk_points' has shape \(shapeText(points.shape)), but x has \(sampleText(x)) (shape \(shapeText(x.shape)))")
        }
        let tracker = try CurvatureTracker(
            hvp: try HessianVectorProduct(model: trainer.model, loss: trainer.loss, x: trainer.x, labels: trainer.labels),
            k: k, iterations: iters, seed: seed, ntkPoints: points)
        var analysis = Trainer.Analysis(every: every, hessianCount: k) { _ in try tracker.measure() }
        analysis.warmStart = (get: { tracker.previous }, set: { tracker.previous = $0 })
        return analysis
    }

    /// Calls on_step(step, info) under lua_pcall; false stops training.
    static func callOnStep(_ callback: LuaCallback, _ r: StepRecord) throws -> Bool {
        do {
            return try callback.call(results: 1, pushArguments: { lua in pushStepInfo(lua, r); return 2 }) { lua in
                !(lua.type(-1) == LUA_TBOOLEAN && !lua.boolean(-1))
            }
        } catch let e as LuaCallbackError {
            throw LuaFailure.message("train.fit: on_step failed at step \(r.step): \(e.message)")
        }
    }

    /// Pushes step, info for on_step.
    static func pushStepInfo(_ lua: Lua, _ r: StepRecord) {
        lua.push(r.step)
        lua.newTable(hash: 8)
        lua.push(r.step); lua.setField(-2, "step")
        lua.push(r.loss); lua.setField(-2, "loss")
        lua.push(r.weightedLoss); lua.setField(-2, "weighted_loss")
        lua.push(r.accuracy); lua.setField(-2, "accuracy")
        pushList(lua, r.weights); lua.setField(-2, "weights")
        pushList(lua, r.classAccuracy); lua.setField(-2, "class_accuracy")
        if let v = r.valLoss { lua.push(v); lua.setField(-2, "val_loss") }
        if let v = r.valAccuracy { lua.push(v); lua.setField(-2, "val_accuracy") }
    }

    static func pushList(_ lua: Lua, _ values: [Double]) {
        lua.newTable(array: values.count)
        for (k, v) in values.enumerated() { lua.push(v); lua.setIndex(-2, k + 1) }
    }

    static func pushList(_ lua: Lua, _ values: [Int]) {
        lua.newTable(array: values.count)
        for (k, v) in values.enumerated() { lua.push(v); lua.setIndex(-2, k + 1) }
    }

    /// h.final: {loss, accuracy, class_accuracy [, val_loss, val_accuracy]}.
    static func pushFinal(_ lua: Lua, _ train: ModelEvaluation, _ validation: ModelEvaluation?) {
        lua.newTable(hash: 5)
        lua.push(train.loss); lua.setField(-2, "loss")
        lua.push(train.accuracy); lua.setField(-2, "accuracy")
        pushList(lua, train.classAccuracy); lua.setField(-2, "class_accuracy")
        if let v = validation {
            lua.push(v.loss); lua.setField(-2, "val_loss")
            lua.push(v.accuracy); lua.setField(-2, "val_accuracy")
        }
    }

    static func pushHistory(_ lua: Lua, _ h: TrainingHistory, validation: Bool) {
        lua.newTable(hash: 13)
        if let f = h.final { pushFinal(lua, f, h.finalValidation); lua.setField(-2, "final") }
        pushList(lua, h.step); lua.setField(-2, "step")
        pushList(lua, h.loss); lua.setField(-2, "loss")
        pushList(lua, h.weightedLoss); lua.setField(-2, "weighted_loss")
        pushList(lua, h.accuracy); lua.setField(-2, "accuracy")
        lua.newTable(array: h.count)
        for i in 0..<h.count { pushList(lua, Array(h.weights(at: i))); lua.setIndex(-2, i + 1) }
        lua.setField(-2, "weights")
        if validation {
            pushList(lua, h.valStep); lua.setField(-2, "val_step")
            pushList(lua, h.valLoss); lua.setField(-2, "val_loss")
            pushList(lua, h.valAccuracy); lua.setField(-2, "val_accuracy")
        }
        if let stop = h.stopped {
            lua.newTable(hash: 3)
            lua.push(stop.step); lua.setField(-2, "step")
            lua.push(stop.reason); lua.setField(-2, "reason")
            lua.push(stop.value); lua.setField(-2, "value")
            lua.setField(-2, "stopped")
        }
        if !h.analysisStep.isEmpty {
            pushList(lua, h.analysisStep); lua.setField(-2, "analysis_step")
            lua.newTable(array: h.hessianTop.count)
            for (i, top) in h.hessianTop.enumerated() { pushList(lua, top); lua.setIndex(-2, i + 1) }
            lua.setField(-2, "hessian_top")
            pushList(lua, h.hessianTop.map { $0.first ?? .nan }); lua.setField(-2, "lambda_max")
            pushList(lua, h.ntkMax); lua.setField(-2, "ntk_max")
        }
    }

    static func register(_ lua: Lua) {
        lua.newTable()
        lua.setFunctions(-1, [("fit", fit), ("evaluate", evaluate)])
    }
}

/// Metrics of the recorded steps, kept natively during training and handed to Lua once at the
/// end. Every value is measured at the parameters *before* that step's update, from the
/// step's own forward pass; `final` and `finalValidation` at the parameters after the last one.
public struct TrainingHistory {
    public let classes: Int
    public var step: [Int] = []
    public var loss: [Double] = []
    public var weightedLoss: [Double] = []
    public var accuracy: [Double] = []
    /// The class weights of each recorded step, `classes` numbers per step, flattened.
    public var weights: [Double] = []
    /// Validation ran at these steps (every recorded step, or those of `eval_every`).
    public var valStep: [Int] = []
    public var valLoss: [Double] = []
    public var valAccuracy: [Double] = []
    /// Landscape diagnostics (train.fit's `analysis` option), at their own steps.
    public var analysisStep: [Int] = []
    public var hessianTop: [[Double]] = []
    public var ntkMax: [Double] = []
    /// Set when the run stopped on a non-finite value (`NonFinitePolicy.stop`).
    public var stopped: DivergenceStop?
    /// The whole training set and the validation set at the final parameters (set when the run
    /// ends; not part of checkpoints, it is measured again).
    public var final: ModelEvaluation?
    public var finalValidation: ModelEvaluation?

    public init(classes: Int) { self.classes = classes }

    public var count: Int { step.count }

    public func weights(at i: Int) -> ArraySlice<Double> {
        weights[(i * classes)..<((i + 1) * classes)]
    }

    /// Room for `records` recorded steps, up to a cap: a run can stop early (on_step returning
    /// false, an interrupt), so a huge `steps` must not allocate its whole history up front.
    mutating func reserve(_ records: Int, validation: Bool) {
        let n = min(records, 1 << 16)
        step.reserveCapacity(n); loss.reserveCapacity(n); weightedLoss.reserveCapacity(n)
        accuracy.reserveCapacity(n); weights.reserveCapacity(n * min(classes, 1 << 10))
        if validation { valStep.reserveCapacity(n); valLoss.reserveCapacity(n); valAccuracy.reserveCapacity(n) }
    }
}

/// What the loop reports for a recorded step (to `on_step`, the log and the progress line).
public struct StepRecord {
    public var step: Int
    public var loss: Double
    public var weightedLoss: Double
    public var accuracy: Double
    public var weights: [Double]
    public var valLoss: Double?
    public var valAccuracy: Double?
    /// Accuracy of each class on the step's batch (NaN for a class absent from the batch).
    public var classAccuracy: [Double]
}

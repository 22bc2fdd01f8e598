/// What train.fit does when a step's loss, or a parameter after the step's update, is not
/// finite (a diverging run: too large a learning rate, for one).
public enum NonFinitePolicy: String, CaseIterable, Sendable {
    /// Stop with an error naming the step and the value (the default).
    case error
    /// Stop and return the history so far, marked with `DivergenceStop`.
    case stop
    /// Train on regardless.
    case `continue`
}

/// Where and why a run stopped on a non-finite value. The step's update was not applied, so
/// the model holds the parameters from before `step`, all finite.
public struct DivergenceStop: Equatable, Sendable {
    public let step: Int
    /// "the loss is nan", "the update would make parameter 2 (element 7, now 3.1e+307) non-finite".
    public let reason: String
    /// The non-finite loss, or the parameter element's value before the refused update.
    public let value: Double

    /// A stop when the step's loss or weighted loss is not finite (checked before the update).
    init?(step: Int, _ e: LossEvaluation) {
        if !e.loss.isFinite {
            self.init(step: step, reason: "the loss is \(ClassLabels.format(e.loss))", value: e.loss)
        } else if !e.weightedLoss.isFinite {
            self.init(step: step, reason: "the weighted loss is \(ClassLabels.format(e.weightedLoss))", value: e.weightedLoss)
        } else {
            return nil
        }
    }

    init(step: Int, _ u: NonFiniteUpdate) {
        self.init(step: step, reason: "the update would make parameter \(u.parameter + 1) (element \(u.element + 1), now \(ClassLabels.format(u.value))) non-finite", value: u.value)
    }

    init(step: Int, reason: String, value: Double) {
        self.step = step; self.reason = reason; self.value = value
    }

    /// The error of on_nonfinite = "error".
    public var error: TensorError {
        TensorError("train.fit: diverged at step \(step): \(reason); the model keeps its parameters from before step \(step) (a smaller lr may help; on_nonfinite = \"stop\" returns the history instead)")
    }
}

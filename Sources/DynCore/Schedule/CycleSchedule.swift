/// A schedule that focuses on one class per period (FocusCycle) and differs from its kind only
/// in the focused class's raw weight over the period: triangular, sine, ...
public protocol CycleSchedule: WeightSchedule {
    var cycle: FocusCycle { get }
    /// The raw (unnormalized) weight of the focused class at phase tau (0 <= tau < T).
    func rawWeight(tau: Int) -> Double
}

extension CycleSchedule {
    public var classes: Int { cycle.classes }

    public func weights(step: Int, into w: UnsafeMutableBufferPointer<Double>) throws {
        try validate(step: step, buffer: w)
        cycle.fill(w, step: step, raw: rawWeight)
    }

    public func focus(step: Int) throws -> Int? {
        guard step >= 1 else { throw TensorError("schedule: step must be >= 1, got \(step)") }
        return cycle.focus(step)
    }
}

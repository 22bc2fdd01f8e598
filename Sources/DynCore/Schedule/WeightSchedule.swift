/// Per-class loss weights as a function of the 1-based training step: the hook of a
/// dynamical loss (Ruiz-Garcia et al., ICML 2021).
///
/// The training loop calls `weights(step:into:)` once per step, so implementations write into
/// the caller's buffer and do not allocate. Class indices are 0-based here; the Lua layer
/// shows them 1-based.
public protocol WeightSchedule: AnyObject {
    /// The number of classes C (the length of every weight vector).
    var classes: Int { get }

    /// Writes the C weights for `step` (>= 1) into `into`, which holds exactly C elements.
    func weights(step: Int, into: UnsafeMutableBufferPointer<Double>) throws

    /// The 0-based class the schedule emphasizes at `step`, or nil when none is (constant
    /// weights, or the static phase after `static_after`).
    func focus(step: Int) throws -> Int?
}

extension WeightSchedule {
    /// The weights as a new array (for callers off the hot path: tests, the Lua `s(step)`).
    public func weights(step: Int) throws -> [Double] {
        var out = [Double](repeating: 0, count: classes)
        try out.withUnsafeMutableBufferPointer { try weights(step: step, into: $0) }
        return out
    }

    /// The weights as a new 1-D float64 tensor, allocated first (the checked path: `classes`
    /// comes from the script and may be more than memory holds).
    public func weightsTensor(step: Int) throws -> Tensor {
        let t = try Tensor(uninitialized: [classes])
        try weights(step: step, into: UnsafeMutableBufferPointer(start: t.pointer(Double.self), count: classes))
        return t
    }

    /// The checks every implementation shares: a positive step and a buffer of C elements.
    public func validate(step: Int, buffer: UnsafeMutableBufferPointer<Double>) throws {
        guard step >= 1 else { throw TensorError("schedule: step must be >= 1, got \(step)") }
        guard buffer.count == classes else {
            throw TensorError("schedule: weight buffer holds \(buffer.count) values, expected \(classes) (one per class)")
        }
    }
}

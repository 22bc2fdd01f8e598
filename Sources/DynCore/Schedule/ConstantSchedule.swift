/// All weights 1 at every step: plain (static) cross-entropy.
public final class ConstantSchedule: WeightSchedule {
    public let classes: Int

    public init(classes: Int) throws {
        guard classes >= 1 else { throw TensorError("schedule.constant: classes must be >= 1, got \(classes)") }
        self.classes = classes
    }

    public func weights(step: Int, into w: UnsafeMutableBufferPointer<Double>) throws {
        try validate(step: step, buffer: w)
        for c in 0..<classes { w[c] = 1 }
    }

    public func focus(step: Int) throws -> Int? { nil }
}

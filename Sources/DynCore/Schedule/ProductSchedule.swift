/// Two schedules multiplied class by class (`s1 * s2` in Lua), times a constant factor
/// (`s * x`): w[c] = factor * a[c] * b[c], with each factor's weights as it gives them (each
/// normalized or not by its own options) and the product not normalized again.
public final class ProductSchedule: WeightSchedule {
    public let a: any WeightSchedule
    public let b: (any WeightSchedule)?
    public let factor: Double
    /// b's weights for the current step, sized at the first call from the caller's buffer.
    private var scratch: [Double] = []

    /// A factor of 0 classes is a custom schedule whose count is not known yet: the other
    /// factor fixes the count, and the custom one is checked against it when called.
    public init(_ a: any WeightSchedule, _ b: (any WeightSchedule)?, factor: Double = 1) throws {
        guard factor.isFinite, factor >= 0 else {
            throw TensorError("schedule: a schedule can only be scaled by a finite number >= 0, got \(valueText(factor))")
        }
        if let b {
            guard a.classes == 0 || b.classes == 0 || a.classes == b.classes else {
                throw TensorError("schedule: cannot multiply schedules of \(a.classes) and \(b.classes) classes")
            }
            guard a.classes != 0 || b.classes != 0 else {
                throw TensorError("schedule: to multiply two schedule.custom schedules, give one of them classes = C")
            }
        } else if a.classes == 0 {
            throw TensorError("schedule: to scale a schedule.custom schedule, give it classes = C")
        }
        // Bounded because `s = s * s` in a loop doubles the work of every step each time.
        let count = ProductSchedule.factors(a) + (b.map(ProductSchedule.factors) ?? 0)
        guard count <= ProductSchedule.maxFactors else {
            throw TensorError("schedule: a product of \(count) schedules is more than the \(ProductSchedule.maxFactors) allowed")
        }
        self.a = a; self.b = b; self.factor = factor; self.factorCount = count
    }

    public static let maxFactors = 64
    /// How many schedules that are not products this one multiplies (with repeats).
    public let factorCount: Int
    static func factors(_ s: any WeightSchedule) -> Int { (s as? ProductSchedule)?.factorCount ?? 1 }

    public var classes: Int { a.classes != 0 ? a.classes : b?.classes ?? 0 }

    public func weights(step: Int, into w: UnsafeMutableBufferPointer<Double>) throws {
        try validate(step: step, buffer: w)
        try a.weights(step: step, into: w)
        if let b {
            if scratch.count != w.count { scratch = [Double](repeating: 0, count: w.count) }
            try scratch.withUnsafeMutableBufferPointer { try b.weights(step: step, into: $0) }
            for c in 0..<w.count { w[c] *= scratch[c] }
        }
        if factor != 1 { for c in 0..<w.count { w[c] *= factor } }
    }

    /// The class with the largest product weight (the first on ties), nil when all are equal.
    public func focus(step: Int) throws -> Int? {
        let w = try weightsTensor(step: step)
        let (hi, lo) = (try w.reduceAll(.max), try w.reduceAll(.min))
        return hi > lo ? try w.argmaxAll() : nil
    }
}

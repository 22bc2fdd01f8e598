/// Which class period p (counting from 0) emphasizes.
public enum FocusOrder: Sendable, Equatable {
    /// Class p mod C: 1, 2, ..., C, 1, ... (the paper's order).
    case cycling
    /// A class drawn uniformly for each period, independently of all others: a function of
    /// (seed, p) alone, so any step can be asked in any order and a resumed run sees the same
    /// classes. The draw is `below(C)` of a xoshiro256** generator (`Generator`) seeded with
    /// the (p+1)-th output of SplitMix64 started at `seed`.
    case random(seed: UInt64)

    public func focusedClass(period p: Int, classes: Int) -> Int {
        switch self {
        case .cycling: return p % classes
        case .random(let seed):
            var g = Generator(seed: FocusOrder.splitMix(seed &+ UInt64(p + 1) &* 0x9E37_79B9_7F4A_7C15))
            return g.below(classes)
        }
    }

    /// SplitMix64's output function (Steele, Lea and Flood, 2014) on the state z.
    static func splitMix(_ z: UInt64) -> UInt64 {
        var x = z
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        return x ^ (x >> 31)
    }
}

/// What the paper's periodic schedules share: the step is cut into periods of T steps; during
/// period number p (counting from 0) one class is emphasized (class p mod C, or a random one:
/// `FocusOrder`), its raw weight following a bump shape of the phase tau = (step - 1) mod T
/// while all other classes keep raw weight 1.
public struct FocusCycle: Sendable {
    public let classes: Int
    public let amplitude: Double
    public let period: Int
    /// Scale the weights so that they sum to C (the default).
    public let normalize: Bool
    /// From this step on, every weight is 1 (nil: never).
    public let staticAfter: Int?
    public let order: FocusOrder

    public init(classes: Int, amplitude: Double, period: Int, normalize: Bool = true,
                staticAfter: Int? = nil, order: FocusOrder = .cycling, function: String) throws {
        guard classes >= 1 else { throw TensorError("\(function): classes must be >= 1, got \(classes)") }
        guard amplitude.isFinite, amplitude >= 1 else {
            throw TensorError("\(function): amplitude must be a finite number >= 1, got \(amplitude)")
        }
        guard period >= 1 else { throw TensorError("\(function): period must be >= 1, got \(period)") }
        if let s = staticAfter, s < 1 { throw TensorError("\(function): static_after must be >= 1, got \(s)") }
        self.classes = classes
        self.amplitude = amplitude
        self.period = period
        self.normalize = normalize
        self.staticAfter = staticAfter
        self.order = order
    }

    public func isStatic(_ step: Int) -> Bool { staticAfter.map { step >= $0 } ?? false }

    /// tau = (step - 1) mod T.
    public func phase(_ step: Int) -> Int { (step - 1) % period }

    /// The 0-based class of period floor((step - 1) / T): for the cycling order
    /// k = floor((step - 1) / T) mod C.
    public func focusedClass(_ step: Int) -> Int { order.focusedClass(period: (step - 1) / period, classes: classes) }

    /// Fills `w` with raw weights (1 except `raw` at the focused class), then normalizes the
    /// way the paper's reference code does: the sum accumulated in class order, then each
    /// weight divided by that sum and multiplied by C (in that order, so results agree to the
    /// last bit with `g / g.sum() * C`).
    public func fill(_ w: UnsafeMutableBufferPointer<Double>, step: Int, raw: (Int) -> Double) {
        if isStatic(step) {
            for c in 0..<classes { w[c] = 1 }
            return
        }
        for c in 0..<classes { w[c] = 1 }
        w[focusedClass(step)] = raw(phase(step))
        guard normalize else { return }
        var sum = 0.0
        for c in 0..<classes { sum += w[c] }
        let n = Double(classes)
        for c in 0..<classes { w[c] = w[c] / sum * n }
    }

    public func focus(_ step: Int) -> Int? { isStatic(step) ? nil : focusedClass(step) }
}

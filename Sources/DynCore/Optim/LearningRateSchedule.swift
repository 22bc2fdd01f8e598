import Foundation

/// The learning rate of each optimizer step (1-based: the step being taken). An optimizer with
/// a schedule asks it once per step, before the update; built-ins are plain arithmetic.
public protocol LearningRateSchedule: AnyObject {
    func rate(step: Int) throws -> Double
    /// How the schedule shows in `tostring` and in a training checkpoint's run settings.
    var text: String { get }
}

/// The built-in shapes: a linear warm-up from lr/warmup to lr over steps 1..warmup, then
///     constant: lr
///     cosine:   final + (lr - final) (1 + cos(pi p)) / 2, p = min(1, (step - warmup) / (steps - warmup))
///     step:     lr * gamma^k, k = the number of milestones <= step (or floor((step - warmup - 1) / every))
/// Closed forms of the step alone, so a resumed run continues exactly where it stopped.
public final class BuiltinRateSchedule: LearningRateSchedule {
    public enum Shape: Equatable {
        case constant
        case cosine(steps: Int, final: Double)
        case stepEvery(every: Int, gamma: Double)
        case milestones([Int], gamma: Double)
    }

    public let lr: Double
    public let warmup: Int
    public let shape: Shape

    public init(lr: Double, warmup: Int = 0, shape: Shape, function: String) throws {
        guard lr.isFinite, lr >= 0 else { throw TensorError("\(function): lr must be a finite number >= 0, got \(lr)") }
        guard warmup >= 0 else { throw TensorError("\(function): warmup must be an integer >= 0, got \(warmup)") }
        switch shape {
        case .constant: break
        case .cosine(let steps, let final):
            guard steps > warmup else { throw TensorError("\(function): steps must be greater than warmup (\(warmup)), got \(steps)") }
            guard final.isFinite, final >= 0 else { throw TensorError("\(function): final must be a finite number >= 0, got \(final)") }
        case .stepEvery(let every, let gamma):
            guard every >= 1 else { throw TensorError("\(function): every must be an integer >= 1, got \(every)") }
            try Self.checkGamma(gamma, function)
        case .milestones(let m, let gamma):
            guard !m.isEmpty, m.allSatisfy({ $0 >= 1 }), zip(m, m.dropFirst()).allSatisfy({ $0 < $1 }) else {
                throw TensorError("\(function): milestones must be increasing integers >= 1, got {\(m.map(String.init).joined(separator: ", "))}")
            }
            try Self.checkGamma(gamma, function)
        }
        self.lr = lr; self.warmup = warmup; self.shape = shape
    }

    private static func checkGamma(_ gamma: Double, _ function: String) throws {
        guard gamma.isFinite, gamma >= 0 else { throw TensorError("\(function): gamma must be a finite number >= 0, got \(gamma)") }
    }

    public func rate(step: Int) throws -> Double {
        guard step >= 1 else { throw TensorError("learning-rate schedule: step must be >= 1, got \(step)") }
        if step <= warmup { return lr * Double(step) / Double(warmup) }
        switch shape {
        case .constant:
            return lr
        case .cosine(let steps, let final):
            let p = min(1, Double(step - warmup) / Double(steps - warmup))
            return final + (lr - final) * (1 + cos(Double.pi * p)) / 2
        case .stepEvery(let every, let gamma):
            return lr * pow(gamma, Double((step - warmup - 1) / every))
        case .milestones(let m, let gamma):
            return lr * pow(gamma, Double(m.lazy.filter { $0 <= step }.count))
        }
    }

    public var text: String {
        let n = NumberText.shortest
        let w = warmup == 0 ? "" : ", warmup=\(warmup)"
        switch shape {
        case .constant: return "optim.schedule.constant{lr=\(n(lr))\(w)}"
        case .cosine(let steps, let final): return "optim.schedule.cosine{lr=\(n(lr)), steps=\(steps)\(w), final=\(n(final))}"
        case .stepEvery(let every, let gamma): return "optim.schedule.step{lr=\(n(lr)), every=\(every), gamma=\(n(gamma))\(w)}"
        case .milestones(let m, let gamma):
            return "optim.schedule.step{lr=\(n(lr)), milestones={\(m.map(String.init).joined(separator: ", "))}, gamma=\(n(gamma))\(w)}"
        }
    }
}

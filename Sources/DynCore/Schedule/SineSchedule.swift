import Foundation

/// A smooth variant of the triangular schedule: the focused class's raw weight is
/// 1 + (A-1) sin^2(pi tau / T), rising from 1 to A and back within one period.
public final class SineSchedule: CycleSchedule {
    public let cycle: FocusCycle

    public init(_ cycle: FocusCycle) { self.cycle = cycle }

    public func rawWeight(tau: Int) -> Double {
        let s = Foundation.sin(Double.pi * Double(tau) / Double(cycle.period))
        return 1 + (cycle.amplitude - 1) * (s * s)
    }
}

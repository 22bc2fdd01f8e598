/// The paper's dynamical loss: the focused class's raw weight rises linearly from 1 to A over
/// the first half of each period and falls back over the second half.
/// With s = 2(A-1)/T: 1 + tau*s for tau < T/2, else 2A - tau*s - 1 (evaluated in exactly
/// that order, as the paper's reference code does, so weights match it bit for bit).
public final class TriangularSchedule: CycleSchedule {
    public let cycle: FocusCycle
    let slope: Double

    public init(_ cycle: FocusCycle) {
        self.cycle = cycle
        slope = 2 * (cycle.amplitude - 1) / Double(cycle.period)
    }

    /// The raw (unnormalized) weight of the focused class at phase tau.
    public func rawWeight(tau: Int) -> Double {
        let t = Double(tau)
        return t < Double(cycle.period) / 2 ? 1 + t * slope : 2 * cycle.amplitude - t * slope - 1
    }
}

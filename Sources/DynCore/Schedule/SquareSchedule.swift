/// A square wave: the focused class's raw weight is A for the first fraction `duty` of each
/// period (tau < duty * T) and 1 for the rest, switching at once instead of ramping.
public final class SquareSchedule: CycleSchedule {
    public let cycle: FocusCycle
    public let duty: Double

    public init(_ cycle: FocusCycle, duty: Double = 0.5, function: String) throws {
        guard duty > 0, duty <= 1 else {
            throw TensorError("\(function): duty must be a number in (0, 1], got \(valueText(duty))")
        }
        self.cycle = cycle
        self.duty = duty
    }

    public func rawWeight(tau: Int) -> Double {
        Double(tau) < duty * Double(cycle.period) ? cycle.amplitude : 1
    }
}

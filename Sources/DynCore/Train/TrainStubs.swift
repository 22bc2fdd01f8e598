// TEMPORARY: replaced by the optim and schedule modules at merge.
public protocol WeightSchedule: AnyObject {
    var classes: Int { get }
    func weights(step: Int, into: UnsafeMutableBufferPointer<Double>) throws
}
open class Optimizer { public init() {}; open func step() throws {} }

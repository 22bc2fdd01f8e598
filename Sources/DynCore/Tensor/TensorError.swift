/// What went wrong in a tensor operation, phrased for the person who wrote the call.
/// The binding layer turns it into a Lua error; Swift callers can match on it.
public struct TensorError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// "(2x3)" as in error messages, "()" for a scalar tensor.
public func shapeText(_ shape: [Int]) -> String {
    "(" + shape.map(String.init).joined(separator: "x") + ")"
}

/// A value for an error message: whole numbers without a fraction ("2", not "2.0"), and any
/// NaN as "nan" (0/0 in Lua is a NaN with the sign bit set, which Swift prints "-nan").
public func valueText(_ v: Double) -> String {
    if v.isNaN { return "nan" }
    return v == v.rounded() && Swift.abs(v) < 1e15 ? String(Int(v)) : "\(v)"
}

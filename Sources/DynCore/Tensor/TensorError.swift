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

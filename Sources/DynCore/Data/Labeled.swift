/// A data set as the Lua API returns it: X with one sample per row (N x F) and y, the 1-based
/// class labels as a float64 1-D tensor of N values.
public struct LabeledData {
    public let x: Tensor
    public let y: Tensor

    public init(x: Tensor, y: Tensor) {
        self.x = x
        self.y = y
    }

    /// Checks that X is 2-D and y is 1-D with as many entries as X has rows.
    public static func validate(_ x: Tensor, _ y: Tensor, function: String) throws {
        guard x.rank == 2 else { throw TensorError("\(function): X must be 2-D (samples x features), got shape \(shapeText(x.shape))") }
        guard y.rank == 1, y.shape[0] == x.shape[0] else {
            throw TensorError("\(function): y must be 1-D with one label per row of X (\(x.shape[0])), got shape \(shapeText(y.shape))")
        }
    }

    /// The rows at the given 0-based positions, in that order (copies).
    public static func rows(_ x: Tensor, _ y: Tensor, _ positions: ArraySlice<Int>) throws -> LabeledData {
        let p = Array(positions)
        return LabeledData(x: try x.index(0, p), y: try y.index(0, p))
    }
}

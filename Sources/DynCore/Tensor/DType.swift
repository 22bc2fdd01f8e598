/// Element types a tensor can hold. float64 is the default (fidelity to the paper);
/// float32 exists for speed on large models.
public enum DType: String, CaseIterable, Sendable {
    case float64
    case float32

    public var byteSize: Int {
        switch self {
        case .float64: return 8
        case .float32: return 4
        }
    }

    /// The dtype of a binary operation's result: float64 wins, as in numpy.
    public static func promote(_ a: DType, _ b: DType) -> DType {
        (a == .float64 || b == .float64) ? .float64 : .float32
    }
}

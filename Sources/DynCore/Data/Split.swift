/// Shuffled train/validation split. The rows are permuted by `Generator(seed:).permutation(N)`;
/// the first round(fraction * N) positions of the permutation form the validation set and the
/// rest the training set, each in permutation order. Both parts must be non-empty.
public enum Split {
    public struct Parts {
        public let train: LabeledData
        public let validation: LabeledData
    }

    /// Row positions (0-based) of the training and validation parts.
    public static func positions(rows n: Int, fraction: Double, seed: UInt64) throws -> (train: ArraySlice<Int>, validation: ArraySlice<Int>) {
        guard fraction.isFinite, fraction > 0, fraction < 1 else {
            throw TensorError("data.split: fraction must be a number strictly between 0 and 1, got \(fraction)")
        }
        let nVal = Int((fraction * Double(n)).rounded())
        guard nVal >= 1, nVal < n else {
            throw TensorError("data.split: fraction \(fraction) of \(n) rows gives \(nVal) validation and \(n - nVal) training rows; both must be at least 1")
        }
        var g = Generator(seed: seed)
        let p = g.permutation(n)
        return (p[nVal...], p[..<nVal])
    }

    public static func split(_ x: Tensor, _ y: Tensor, fraction: Double = 0.2, seed: UInt64 = 0) throws -> Parts {
        try LabeledData.validate(x, y, function: "data.split")
        let (train, validation) = try positions(rows: x.shape[0], fraction: fraction, seed: seed)
        return Parts(train: try LabeledData.rows(x, y, train), validation: try LabeledData.rows(x, y, validation))
    }
}

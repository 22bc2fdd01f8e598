/// One pass over a data set in mini-batches of `batchSize` rows (copies). With shuffle, the
/// row order is `Generator(seed:).permutation(N)`, else 0..N-1. The last batch holds the
/// remaining N mod batchSize rows when N is not a multiple of batchSize. Every row appears in
/// exactly one batch.
public final class Batches {
    public let x: Tensor
    public let y: Tensor
    public let batchSize: Int
    public let order: [Int]
    public private(set) var position = 0

    public init(_ x: Tensor, _ y: Tensor, batchSize: Int, shuffle: Bool = true, seed: UInt64 = 0) throws {
        try LabeledData.validate(x, y, function: "data.batches")
        guard batchSize >= 1 else { throw TensorError("data.batches: batch_size must be >= 1, got \(batchSize)") }
        self.x = x
        self.y = y
        self.batchSize = batchSize
        var g = Generator(seed: seed)
        order = shuffle ? g.permutation(x.shape[0]) : Array(0..<x.shape[0])
    }

    /// The next batch, or nil after the last one.
    public func next() throws -> LabeledData? {
        guard position < order.count else { return nil }
        let end = min(position + batchSize, order.count)
        defer { position = end }
        return try LabeledData.rows(x, y, order[position..<end])
    }
}

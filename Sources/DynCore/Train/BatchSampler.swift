/// Chooses the rows of each training step: all of them (full batch), or minibatches of a fixed
/// size that walk through a fresh permutation every epoch (the last batch of an epoch holds
/// the remainder). The permutation comes from `Generator(seed:)`, so runs are reproducible.
struct BatchSampler {
    let rows: Int
    let batchSize: Int
    let shuffle: Bool
    private var generator: Generator
    private var order: [Int]
    private var position: Int

    init(rows: Int, batchSize: Int?, shuffle: Bool, seed: UInt64) {
        self.rows = rows
        self.batchSize = min(batchSize ?? rows, rows)
        self.shuffle = shuffle
        generator = Generator(seed: seed)
        order = Array(0..<rows)
        position = rows  // start a new epoch on the first call
    }

    var isFullBatch: Bool { batchSize >= rows }

    /// Steps per pass over the data (1 for full-batch training).
    var batchesPerEpoch: Int { rows == 0 ? 1 : (rows + batchSize - 1) / max(batchSize, 1) }

    /// Where the sampler is (generator, this epoch's order, position in it): what a training
    /// checkpoint saves so that a resumed run draws the same minibatches.
    struct State: Equatable {
        var generator: [UInt64]
        var order: [Int]
        var position: Int
    }

    var state: State {
        get { State(generator: generator.state, order: order, position: position) }
        set { generator.state = newValue.generator; order = newValue.order; position = newValue.position }
    }

    /// The row indices of the next batch.
    mutating func next() -> ArraySlice<Int> {
        if position >= rows {
            if shuffle { order = generator.permutation(rows) }
            position = 0
        }
        let end = min(position + batchSize, rows)
        defer { position = end }
        return order[position..<end]
    }
}

public import TensorEngine

/// Where a `BatchSampler` stands: small and `Codable`, saved beside a checkpoint so a resumed run sees exactly
/// the same data order.
public struct BatchSamplerState: Sendable, Codable, Equatable {
    /// The base generator; epoch `e`'s order comes from `generator.derived(e)`, so it is never advanced.
    public var generator: RandomGenerator
    /// Epochs completed so far (the current epoch's number, from 0).
    public var epoch: Int
    /// Examples of the current epoch already handed out.
    public var position: Int

    /// A position; the default is the start of epoch 0.
    public init(generator: RandomGenerator, epoch: Int = 0, position: Int = 0) {
        self.generator = generator
        self.epoch = epoch
        self.position = position
    }
}

/// Minibatches of example indices, epoch after epoch, shuffled from a seeded generator.
///
/// `next()` hands out the current epoch's batches in order and returns nil once at the end of each epoch,
/// moving on to the next one; so `while let b = sampler.next() { … }` runs exactly one epoch. Each epoch's
/// order is a function of the base generator and the epoch number alone, so `state` saved at any point and
/// passed to `init(count:batchSize:shuffle:dropLast:state:)` continues with the identical batches.
public struct BatchSampler {
    /// Examples per epoch.
    public let count: Int
    /// Examples per batch (the last batch of an epoch may be smaller unless `dropLast`).
    public let batchSize: Int
    /// False keeps the order `0..<count` every epoch.
    public let shuffle: Bool
    /// True drops the last batch of an epoch when it is smaller than `batchSize`.
    public let dropLast: Bool
    /// The position: save it with a checkpoint.
    public private(set) var state: BatchSamplerState
    private var order: [Int] = []
    private var orderEpoch = -1

    /// A sampler at the start of epoch 0.
    public init(count: Int, batchSize: Int, shuffle: Bool = true, dropLast: Bool = false,
                generator: RandomGenerator) {
        self.init(count: count, batchSize: batchSize, shuffle: shuffle, dropLast: dropLast,
                  state: BatchSamplerState(generator: generator))
    }

    /// A sampler resuming from a saved state (the other arguments must match the run that saved it).
    public init(count: Int, batchSize: Int, shuffle: Bool = true, dropLast: Bool = false, state: BatchSamplerState) {
        precondition(count >= 0 && batchSize >= 1, "BatchSampler: count \(count), batchSize \(batchSize)")
        precondition(state.epoch >= 0 && state.position >= 0 && state.position <= count,
                     "BatchSampler: state \(state) does not fit \(count) examples")
        self.count = count
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.state = state
    }

    /// Batches in each epoch.
    public var batchesPerEpoch: Int { dropLast ? count / batchSize : (count + batchSize - 1) / batchSize }

    /// Index of the next batch within the current epoch.
    public var batchIndex: Int { state.position / batchSize }

    /// The order of the examples in `epoch`.
    public func order(ofEpoch epoch: Int) -> [Int] {
        guard shuffle else { return Array(0..<count) }
        var rng = state.generator.derived(UInt64(epoch))
        return rng.permutation(count)
    }

    /// The next batch of the current epoch, or nil (once) when the epoch is over; the following call starts
    /// the next epoch.
    public mutating func next() -> [Int]? {
        let remaining = count - state.position
        if remaining == 0 || (dropLast && remaining < batchSize) {
            state.epoch += 1
            state.position = 0
            return nil
        }
        if orderEpoch != state.epoch {
            order = order(ofEpoch: state.epoch)
            orderEpoch = state.epoch
        }
        let take = Swift.min(batchSize, remaining)
        defer { state.position += take }
        return Array(order[state.position..<(state.position + take)])
    }
}

public import TensorEngine

/// One minibatch of a labeled split.
public struct Minibatch {
    /// `[B, ...]` inputs, augmented if the iterator has an augmentation.
    public var inputs: Tensor
    /// `[B]` class ids.
    public var labels: Tensor
    /// Which examples of the split these are.
    public var indices: [Int]

    /// A batch of `inputs` with their `labels`, examples `indices` of their split (plugin tests build their own).
    public init(inputs: Tensor, labels: Tensor, indices: [Int]) {
        self.inputs = inputs
        self.labels = labels
        self.indices = indices
    }
}

/// Shuffled (and optionally augmented) minibatches of a `DataSplit`, resumable from a `BatchSamplerState`.
///
/// Augmentation randomness for batch `b` of epoch `e` comes from a generator derived from the base generator,
/// `e` and `b`, so a resumed run also sees identical augmentations.
public struct BatchIterator {
    /// The examples batched.
    public let split: DataSplit
    /// The index order and its resumable state.
    public private(set) var sampler: BatchSampler
    /// Applied to each batch's inputs (images `[B, C, H, W]`); nil for none.
    public var augmentation: ImageAugmentation?

    /// An iterator at the start of epoch 0.
    public init(split: DataSplit, batchSize: Int, shuffle: Bool = true, dropLast: Bool = false,
                augmentation: ImageAugmentation? = nil, generator: RandomGenerator) {
        self.init(split: split, batchSize: batchSize, shuffle: shuffle, dropLast: dropLast,
                  augmentation: augmentation, state: BatchSamplerState(generator: generator))
    }

    /// An iterator resuming from `state`; the other arguments must match the run that saved it.
    public init(split: DataSplit, batchSize: Int, shuffle: Bool = true, dropLast: Bool = false,
                augmentation: ImageAugmentation? = nil, state: BatchSamplerState) {
        self.split = split
        self.augmentation = augmentation
        sampler = BatchSampler(count: split.count, batchSize: batchSize, shuffle: shuffle, dropLast: dropLast,
                               state: state)
    }

    /// The position to save with a checkpoint.
    public var state: BatchSamplerState { sampler.state }

    /// The next batch of the current epoch, or nil (once) at the end of it; see `BatchSampler.next()`.
    public mutating func next() -> Minibatch? {
        let (epoch, batch) = (sampler.state.epoch, sampler.batchIndex)
        guard let indices = sampler.next() else { return nil }
        var inputs = split.inputs.rows(at: indices)
        if let augmentation {
            var rng = sampler.state.generator.derived(1 << 63 | UInt64(epoch) << 32 | UInt64(batch))
            inputs = augmentation.apply(to: inputs, using: &rng)
        }
        return Minibatch(inputs: inputs, labels: split.labels.rows(at: indices), indices: indices)
    }
}

/// Random windows of a byte sequence for next-byte prediction.
public enum TextWindows {
    /// `batchSize` windows of `length + 1` consecutive bytes at uniform random offsets: inputs `[B, T]` are
    /// the first `T` bytes and targets `[B, T]` the next ones, as floats 0…255. The generator is the whole
    /// state: save it to resume.
    public static func batch(_ bytes: [UInt8], batchSize: Int, length: Int, using rng: inout RandomGenerator)
        -> (inputs: Tensor, targets: Tensor)
    {
        precondition(batchSize >= 1 && length >= 1 && bytes.count > length,
                     "TextWindows: \(bytes.count) bytes cannot give windows of \(length) + 1")
        var x = [Float](), y = [Float]()
        x.reserveCapacity(batchSize * length)
        y.reserveCapacity(batchSize * length)
        for _ in 0..<batchSize {
            let start = rng.nextInt(in: 0..<(bytes.count - length))
            for t in 0..<length {
                x.append(Float(bytes[start + t]))
                y.append(Float(bytes[start + t + 1]))
            }
        }
        return (Tensor([batchSize, length], x), Tensor([batchSize, length], y))
    }
}

import TensorEngine

/// How byte-level text becomes examples: windows of `context + 1` consecutive bytes, the first `context` a model
/// reads and, shifted by one, the `context` bytes it must predict.
///
/// Training windows start every `stride` bytes, so a small corpus still gives many distinct windows (stride 1 is
/// every offset); validation windows start every `context` bytes, so each held-out byte after the first is
/// predicted exactly once (a trailing part shorter than a window is left out).
public struct TextWindowing: Sendable, Equatable, Codable {
    /// Bytes a model reads per example (T).
    public var context: Int
    /// Bytes between the starts of consecutive training windows.
    public var stride: Int

    /// Windows of `context` bytes (plus the target byte) starting every `stride` bytes.
    public init(context: Int = 128, stride: Int = 16) {
        precondition(context >= 1 && stride >= 1, "TextWindowing: context \(context), stride \(stride)")
        self.context = context
        self.stride = stride
    }
}

extension TextDataset {
    /// Why the splits cannot be cut into windows (a split shorter than one window), or nil when they can.
    public var windowingProblem: String? {
        let need = windowing.context + 1
        for (split, bytes) in [("training", train), ("validation", validation)] where bytes.count < need {
            return "the \(split) split of '\(name)' has \(bytes.count) bytes, fewer than one window of context "
                + "\(windowing.context) + 1; use more text or a shorter context"
        }
        return nil
    }

    /// The windows as a supervised dataset: inputs `[N, context + 1]` (byte values as floats) and, as labels `[N]`,
    /// each window's last byte; 256 classes. Requires ``windowingProblem`` to be nil.
    public func windowed() -> LabeledDataset {
        precondition(windowingProblem == nil, "TextDataset.windowed: \(windowingProblem ?? "")")
        let w = windowing
        return LabeledDataset(
            name: name, train: Self.windows(of: train, length: w.context + 1, every: w.stride),
            test: Self.windows(of: validation, length: w.context + 1, every: w.context), classCount: vocabularySize)
    }

    /// Windows of `length` bytes starting at 0, `every`, 2·`every`, … while a whole window fits.
    static func windows(of bytes: [UInt8], length: Int, every step: Int) -> DataSplit {
        let starts = Array(stride(from: 0, through: bytes.count - length, by: step))
        var values = [Float]()
        values.reserveCapacity(starts.count * length)
        for s in starts { values += bytes[s..<(s + length)].map(Float.init) }
        let inputs = Tensor([starts.count, length], values)
        return DataSplit(inputs: inputs, labels: Tensor([starts.count], starts.map { Float(bytes[$0 + length - 1]) }))
    }
}

public import TensorEngine

/// A lookup table of `count` vectors of width `dimension`: ids of any shape S → [S..., dimension].
public final class Embedding: Layer {
    /// Training mode (no effect on this layer's computation).
    public var isTraining = true
    /// The table, `[count, dimension]`.
    public let weight: Parameter

    /// A table initialised from N(0, std²) drawn from `rng` (`torch.nn.Embedding` uses std 1).
    public init(count: Int, dimension: Int, std: Float = 1, rng: inout RandomGenerator) {
        precondition(count > 0 && dimension > 0, "Embedding: sizes must be positive, got \(count)×\(dimension)")
        self.weight = Parameter(Tensor.normal([count, dimension], std: std, using: &rng))
    }

    /// A layer holding the given table `[count, dimension]`.
    public init(weight: Tensor) {
        precondition(weight.rank == 2, "Embedding: weight must be [count, dimension], got \(weight.shape)")
        self.weight = Parameter(weight)
    }

    /// Number of vectors.
    public var count: Int { weight.shape[0] }
    /// Width of each vector.
    public var dimension: Int { weight.shape[1] }

    /// The rows at `ids` (integers stored as floats, any shape S) → [S..., dimension]. Records; the table's
    /// gradient adds g's rows at their ids.
    public func forward(_ ids: Tensor) -> Tensor { weight.value.embedding(ids) }
}

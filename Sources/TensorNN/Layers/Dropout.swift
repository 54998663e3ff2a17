public import TensorEngine

/// Inverted dropout (`torch.nn.Dropout`): in training each element is zeroed with probability `probability` and the
/// rest scaled by 1/(1 − p); in evaluation the identity. The layer owns its seeded random stream.
public final class Dropout: Layer, RandomStreamOwner {
    /// Training mode: dropout active.
    public var isTraining = true
    /// Probability of zeroing an element.
    public var probability: Float
    /// The stream masks are drawn from; checkpoints save and restore it.
    public var rng: RandomGenerator

    /// Dropout with probability `probability`, drawing masks from `rng`.
    public init(probability: Float, rng: RandomGenerator) {
        precondition(probability >= 0 && probability <= 1, "Dropout: probability \(probability)")
        self.probability = probability
        self.rng = rng
    }

    /// Same shape out; records on the graph.
    public func forward(_ x: Tensor) -> Tensor { x.dropout(probability: probability, training: isTraining, using: &rng) }
}

/// Drop-path / stochastic depth for a residual branch (timm's `DropPath`): in training each sample's whole branch
/// `[N, …]` is zeroed with probability `probability` and kept samples are scaled by 1/(1 − p); in evaluation the
/// identity. The layer owns its seeded random stream.
public final class DropPath: Layer, RandomStreamOwner {
    /// Training mode: drop-path active.
    public var isTraining = true
    /// Probability of dropping a sample's branch.
    public var probability: Float
    /// The stream masks are drawn from; checkpoints save and restore it.
    public var rng: RandomGenerator

    /// Drop-path with probability `probability`, drawing masks from `rng`.
    public init(probability: Float, rng: RandomGenerator) {
        precondition(probability >= 0 && probability <= 1, "DropPath: probability \(probability)")
        self.probability = probability
        self.rng = rng
    }

    /// Same shape out; records on the graph.
    public func forward(_ x: Tensor) -> Tensor { x.dropPath(probability: probability, training: isTraining, using: &rng) }
}

public import TensorEngine

/// Multi-head self-attention with a packed projection: x [B, T, D] → qkv Linear (D → 3·D) → scaled dot-product
/// attention per head (causal by default) → out Linear (D → D). Parameters `qkv.weight`, `qkv.bias`,
/// `out.weight`, `out.bias`, laid out as PyTorch's `Linear`s in the same places.
public final class MultiHeadSelfAttention: Layer {
    /// How the attention itself is computed; both give the same values and gradients.
    public enum Implementation: Sendable {
        /// One primitive (`Tensor.selfAttention`) reading heads straight out of the packed projection.
        case fused
        /// Composed from primitives: split and permute to [B, H, T, d], Q·Kᵀ, `maskedSoftmax`, ·V, merge heads.
        /// The reference for `fused`, and the place to read attention probabilities.
        case composed
    }

    /// Training mode (no effect on this layer's computation).
    public var isTraining = true
    /// The packed q, k, v projection `[3·D, D]`.
    public let qkv: Linear
    /// The output projection `[D, D]`.
    public let out: Linear
    /// Number of heads; D must be divisible by it.
    public let heads: Int
    /// Whether each position attends only to itself and earlier ones.
    public let causal: Bool
    /// `.fused` unless set otherwise.
    public var implementation = Implementation.fused

    /// Attention of width `width` with `heads` heads, Linears initialised like PyTorch's from `rng` (qkv first).
    public init(width: Int, heads: Int, causal: Bool = true, rng: inout RandomGenerator) {
        precondition(heads > 0 && width % heads == 0, "MultiHeadSelfAttention: width \(width) not divisible by \(heads) heads")
        self.qkv = Linear(inputs: width, outputs: 3 * width, rng: &rng)
        self.out = Linear(inputs: width, outputs: width, rng: &rng)
        self.heads = heads
        self.causal = causal
    }

    /// Model width D.
    public var width: Int { out.outputs }

    /// x [B, T, D] → [B, T, D]; records on the graph.
    public func forward(_ x: Tensor) -> Tensor {
        precondition(x.rank == 3 && x.shape[2] == width, "MultiHeadSelfAttention: input \(x.shape) for width \(width)")
        let packed = qkv(x)
        switch implementation {
        case .fused: return out(packed.selfAttention(heads: heads, causal: causal))
        case .composed: return out(Self.composedAttention(packed, heads: heads, causal: causal))
        }
    }

    /// Attention from primitives on qkv [B, T, 3·D] → [B, T, D] (see `Implementation.composed`).
    public static func composedAttention(_ packed: Tensor, heads: Int, causal: Bool) -> Tensor {
        let (b, t, d) = (packed.shape[0], packed.shape[1], packed.shape[2] / 3)
        let hd = d / heads
        // [B, T, 3, H, hd] → [3, B, H, T, hd]
        let split = packed.reshaped([b, t, 3, heads, hd]).permuted([2, 0, 3, 1, 4])
        let q = split.index(0), k = split.index(1), v = split.index(2)
        let p = q.matmul(transposing: k).maskedSoftmax(scale: 1 / Float(hd).squareRoot(), causal: causal)
        return p.matmul(v).permuted([0, 2, 1, 3]).reshaped([b, t, d])
    }
}

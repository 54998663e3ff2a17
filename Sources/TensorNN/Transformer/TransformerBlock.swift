public import TensorEngine

/// A pre-LayerNorm transformer block: x + attn(ln1(x)), then + proj(act(fc(ln2(x)))), the MLP `mlpRatio`× wide
/// with exact GELU by default. Parameters `ln1.*`, `attn.qkv.*`, `attn.out.*`, `ln2.*`, `fc.*`, `proj.*`.
public final class TransformerBlock: Layer {
    /// Training mode (no effect on this layer's computation).
    public var isTraining = true
    /// Normalises the attention branch's input.
    public let ln1: LayerNorm
    /// Causal multi-head self-attention.
    public let attn: MultiHeadSelfAttention
    /// Normalises the MLP branch's input.
    public let ln2: LayerNorm
    /// MLP expansion D → ratio·D.
    public let fc: Linear
    /// MLP projection ratio·D → D (the "down-projection" edits and pruning target).
    public let proj: Linear
    /// The MLP nonlinearity.
    public let activation: ActivationFunction

    /// A block of width `width`; Linears initialised like PyTorch's from `rng` in the order qkv, out, fc, proj.
    public init(width: Int, heads: Int, mlpRatio: Int = 4, activation: ActivationFunction = .gelu, causal: Bool = true,
                rng: inout RandomGenerator) {
        self.ln1 = LayerNorm(width)
        self.attn = MultiHeadSelfAttention(width: width, heads: heads, causal: causal, rng: &rng)
        self.ln2 = LayerNorm(width)
        self.fc = Linear(inputs: width, outputs: mlpRatio * width, rng: &rng)
        self.proj = Linear(inputs: mlpRatio * width, outputs: width, rng: &rng)
        self.activation = activation
    }

    /// x [B, T, D] → [B, T, D]; records on the graph.
    public func forward(_ x: Tensor) -> Tensor { forward(x, layer: 0, hook: nil) }

    /// The block as block number `layer` of a model, calling `hook` at each of its sites in order
    /// (block input, attention output, MLP hidden, MLP output, block output).
    public func forward(_ x: Tensor, layer: Int, hook: ActivationHook?) -> Tensor {
        var h = hook.at(layer, .blockInput, x)
        h = h + hook.at(layer, .attentionOutput, attn(ln1(h)))
        let hidden = hook.at(layer, .mlpHidden, activation.apply(fc(ln2(h))))
        h = h + hook.at(layer, .mlpOutput, proj(hidden))
        return hook.at(layer, .blockOutput, h)
    }
}

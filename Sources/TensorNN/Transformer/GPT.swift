public import TensorEngine

/// The shape of a `GPT`.
public struct GPTConfiguration: Sendable, Equatable, Codable {
    /// Token ids are `0..<vocabulary` (256: bytes).
    public var vocabulary: Int
    /// Longest sequence; the learned position table has this many rows.
    public var context: Int
    /// Model width D.
    public var width: Int
    /// Attention heads per block; D must be divisible by it.
    public var heads: Int
    /// Transformer blocks.
    public var layers: Int
    /// MLP width as a multiple of D.
    public var mlpRatio: Int
    /// Standard deviation of the initial token and position embeddings (PyTorch's `nn.Embedding` default is 1;
    /// GPT-2 uses 0.02).
    public var embeddingStd: Float

    /// A configuration; the default is the `gpt` benchmark's model (2 layers, width 128, 4 heads, context 128).
    public init(vocabulary: Int = 256, context: Int = 128, width: Int = 128, heads: Int = 4, layers: Int = 2,
                mlpRatio: Int = 4, embeddingStd: Float = 0.02) {
        precondition(vocabulary > 0 && context > 0 && layers >= 0 && mlpRatio > 0 && heads > 0 && width % heads == 0,
                     "GPTConfiguration: invalid sizes (vocabulary \(vocabulary), context \(context), width \(width), "
                     + "heads \(heads), layers \(layers))")
        self.vocabulary = vocabulary
        self.context = context
        self.width = width
        self.heads = heads
        self.layers = layers
        self.mlpRatio = mlpRatio
        self.embeddingStd = embeddingStd
    }
}

/// A decoder-only transformer language model: token + learned position embeddings, pre-LayerNorm blocks of causal
/// self-attention and GELU MLP, a final LayerNorm and an output head tied to the token embedding
/// (logits = ln_f(x)·tokᵀ). Parameters `tok.weight`, `pos.weight`, `blocks.<i>.…`, `ln_f.weight`, `ln_f.bias`:
/// the names of the PyTorch model in `shared/bench/torch_ref.py`.
public final class GPT: Layer {
    /// Training mode (no effect: the model has no dropout).
    public var isTraining = true
    /// Token embedding `[vocabulary, D]`, also the output head.
    public let tok: Embedding
    /// Position embedding `[context, D]`.
    public let pos: Embedding
    /// The transformer blocks, applied in order.
    public let blocks: [TransformerBlock]
    /// Final normalisation before the head.
    public let lnF: LayerNorm
    /// The shape this model was built with.
    public let configuration: GPTConfiguration

    /// A model drawn from `rng`: token table, position table, then each block's Linears.
    public init(_ configuration: GPTConfiguration, rng: inout RandomGenerator) {
        let c = configuration
        self.configuration = c
        self.tok = Embedding(count: c.vocabulary, dimension: c.width, std: c.embeddingStd, rng: &rng)
        self.pos = Embedding(count: c.context, dimension: c.width, std: c.embeddingStd, rng: &rng)
        var blocks: [TransformerBlock] = []
        for _ in 0..<c.layers {
            blocks.append(TransformerBlock(width: c.width, heads: c.heads, mlpRatio: c.mlpRatio, rng: &rng))
        }
        self.blocks = blocks
        self.lnF = LayerNorm(c.width)
    }

    /// Logits [B, T, vocabulary] for token ids [B, T] (integers stored as floats, T ≤ context); records on the graph.
    public func forward(_ ids: Tensor) -> Tensor { forward(ids, hook: nil) }

    /// The linear layers inside the blocks (attention qkv and out, MLP fc and proj), block by block: the layers
    /// simulated low-precision training quantises; embeddings, norms and the tied head stay full precision.
    public var projections: [Linear] { blocks.flatMap { [$0.attn.qkv, $0.attn.out, $0.fc, $0.proj] } }

    /// Logits [B, T, vocabulary] for token ids [B, T] (integers stored as floats, T ≤ context), calling `hook`
    /// at every block's sites in order. Records on the graph.
    public func forward(_ ids: Tensor, hook: ActivationHook?) -> Tensor {
        head(residualStream(ids, hook: hook).last!)
    }

    /// The residual stream [B, T, D] after the embeddings and after each block (`layers + 1` tensors, the last one
    /// the input of the final LayerNorm), with `hook` called as in `forward`. Records on the graph.
    public func residualStream(_ ids: Tensor, hook: ActivationHook? = nil) -> [Tensor] {
        precondition(ids.rank == 2 && ids.shape[1] <= configuration.context,
                     "GPT: ids must be [B, T] with T ≤ \(configuration.context), got \(ids.shape)")
        let t = ids.shape[1]
        var x = tok(ids) + pos.weight.value.slice(axis: 0, 0..<t)
        var stream = [x]
        for (i, block) in blocks.enumerated() {
            x = block.forward(x, layer: i, hook: hook)
            stream.append(x)
        }
        return stream
    }

    /// Logits for a residual stream [B, T, D]: ln_f, then the tied head x·tokᵀ (one sgemm, no transpose copy).
    public func head(_ x: Tensor) -> Tensor { lnF(x).linear(weight: tok.weight.value) }

    /// Mean next-token cross-entropy of the logits for ids [B, T] against targets [B, T].
    public func loss(_ ids: Tensor, targets: Tensor, hook: ActivationHook? = nil) -> Tensor {
        precondition(targets.shape == ids.shape, "GPT.loss: targets \(targets.shape) for ids \(ids.shape)")
        let logits = forward(ids, hook: hook)
        return logits.reshaped([-1, configuration.vocabulary]).crossEntropy(targets: targets.reshaped([-1]))
    }
}

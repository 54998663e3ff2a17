import TensorEngine
import TensorNN

/// `gpt`: a decoder-only transformer with 2 layers, d_model 128, 4 heads, context 128, byte vocabulary, batch 16;
/// token + learned position embeddings; pre-LayerNorm blocks (causal self-attention, MLP 4× GELU); final
/// LayerNorm; head tied to the token embedding; next-token cross-entropy; AdamW lr 1e-3 (weight decay 0.01 on
/// every parameter, as `torch.optim.AdamW(model.parameters())`). Embeddings start from N(0, 1) as
/// `nn.Embedding`'s do.
enum GPTWorkload {
    static let configuration = GPTConfiguration(vocabulary: 256, context: 128, width: 128, heads: 4, layers: 2,
                                                embeddingStd: 1)
    static let batch = 16

    static func run(minTime: Double) -> [String: Any] {
        let c = configuration
        var rng = RandomGenerator(seed: 1)
        let model = GPT(c, rng: &rng)
        let optimizer = AdamW(model.namedParameters(), lr: 1e-3)
        let data = Tensor.integers([batch, c.context + 1], low: 0, high: c.vocabulary, using: &rng)
        let ids = data.slice(axis: 1, 0..<c.context), targets = data.slice(axis: 1, 1...)
        var lastLoss: Float = 0
        let stats = BenchHarness.measure(minTime: minTime) {
            optimizer.zeroGrad()
            let loss = model.loss(ids, targets: targets)
            loss.backward()
            optimizer.step()
            lastLoss = loss.item
        }
        // As torch_ref.py counts: qkv, out, fc, proj; QKᵀ and P·V at full (unmasked) size; the head; ×3 for training.
        let (b, t, d, v, l) = (Double(batch), Double(c.context), Double(c.width), Double(c.vocabulary), Double(c.layers))
        let tokens = b * t
        let macs = tokens * l * 12 * d * d + b * l * 2 * t * t * d + tokens * d * v
        let flop = 3 * 2 * macs
        var out = stats.dictionary
        out["gflops_median"] = flop / (stats.medianMs * 1e-3) / 1e9
        out["gflops_best"] = flop / (stats.minMs * 1e-3) / 1e9
        out["params"] = model.parameterCount
        out["tied_embeddings"] = true
        out["tokens_per_step"] = Int(tokens)
        out["tokens_per_s"] = tokens / (stats.medianMs * 1e-3)
        out["flop_per_step"] = flop
        out["final_loss"] = Double(lastLoss)
        return out
    }
}

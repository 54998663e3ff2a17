import PluginAPI
import TensorEngine
import TensorNN

/// `model.gpt`: a decoder-only byte-level transformer (``GPT``) for text data, optionally trained in simulated
/// low precision.
///
/// The defaults are the `gpt` benchmark's model (shared/bench/WORKLOADS.md): 2 layers, d_model 128, 4 heads,
/// context 128, MLP 4×, byte vocabulary, tied head. With `precision: int4` (or `fp4`) the linear layers inside
/// the blocks (attention qkv and out, MLP fc and proj) quantise their weights and inputs per group of `group_size`
/// with a straight-through backward, as the Stable-SPAM 4-bit runs quantise LLaMA's projections; embeddings,
/// LayerNorms and the tied head stay float32.
struct GPTPlugin: ModelPlugin {
    struct Config: PluginConfig {
        var layers = 2
        var dModel = 128
        var heads = 4
        var context = 128
        var mlpRatio = 4
        var embeddingStd = 0.02
        var precision = SimulatedPrecision.fp32
        var groupSize = 128
        static let documentation: [String: FieldDoc] = [
            "layers": FieldDoc("Transformer blocks.", range: .atLeast(1)),
            "d_model": FieldDoc("Model width D; a multiple of heads.", range: .atLeast(1)),
            "heads": FieldDoc("Attention heads per block.", range: .atLeast(1)),
            "context": FieldDoc(
                "Longest sequence (rows of the position table); at least the data's context.", range: .atLeast(1)),
            "mlp_ratio": FieldDoc("MLP width as a multiple of d_model.", range: .atLeast(1)),
            "embedding_std": FieldDoc(
                "Standard deviation of the initial token and position embeddings (GPT-2: 0.02).", range: .positive),
            "precision": FieldDoc(
                "Simulated precision of the blocks' linear layers (weights and inputs): fp32, int4 (W4A4) or fp4.",
                choices: SimulatedPrecision.self),
            "group_size": FieldDoc(
                "Elements sharing one quantisation scale, along each layer's input features; must divide d_model "
                    + "(the papers use 256 with widths that are multiples of 256).",
                range: .atLeast(1)),
        ]
        func validate(_ v: inout ConfigValidator) {
            v.check(dModel % heads == 0, key: "d_model", "must be a multiple of heads (\(heads))")
            v.check(
                precision == .fp32 || dModel % groupSize == 0, key: "group_size",
                "must divide d_model (\(dModel)) for precision \(precision.rawValue)")
        }

        var configuration: GPTConfiguration {
            GPTConfiguration(
                vocabulary: 256, context: context, width: dModel, heads: heads, layers: layers, mlpRatio: mlpRatio,
                embeddingStd: Float(embeddingStd))
        }
    }
    static let input = ModelInput.text
    static let descriptor = PluginDescriptor(
        id: "model.gpt", kind: .model, version: "1.0.0",
        summary: "Decoder-only byte-level transformer (optionally simulated INT4/FP4)", config: Config.self)

    /// A GPT for text windows (examples `[context + 1]` bytes, 256 classes); ids `[B, T]` → logits `[B, T, 256]`.
    static func makeModel(_ c: Config, task: TaskInfo, using rng: inout RandomGenerator) throws -> any Layer {
        guard task.classCount == 256, task.exampleShape.count == 1 else {
            throw ConfigurationMismatch(
                key: "plugin",
                message: "'\(descriptor.id)' is a byte-level language model and needs text data (windows of bytes, "
                    + "256 classes); the data gives examples \(task.exampleShape) in \(task.classCount) classes")
        }
        let window = task.exampleShape[0] - 1
        guard window <= c.context else {
            throw ConfigurationMismatch(
                key: "context",
                message: "\(c.context) is shorter than the data's windows of \(window) bytes; set it to at least the "
                    + "data's context")
        }
        let model = GPT(c.configuration, rng: &rng)
        let quantization = c.precision.quantization(groupSize: c.groupSize)
        for linear in model.projections { linear.quantization = quantization }
        return model
    }
}

public import Experiment
public import PluginAPI
public import TensorEngine
public import TensorNN

/// `model.lowbit-mlp`'s configuration: `model.mlp`'s keys plus the simulated precision.
public struct LowPrecisionMLPConfig: PluginConfig {
    public var hidden = [64, 64]
    public var activation = ActivationFunction.relu
    public var precision = SimulatedPrecision.int4
    public var groupSize = 256
    public var quantizeOutput = false

    /// The defaults.
    public init() {}

    public static let documentation: [String: FieldDoc] = [
        "hidden": FieldDoc(
            "Width of each hidden layer, input side first.", range: .atLeast(1), type: .array(.integer)),
        "activation": FieldDoc("Nonlinearity after each hidden layer.", choices: ActivationFunction.self),
        "precision": FieldDoc(
            "Simulated precision of the hidden linear layers' weights and inputs: fp32, int4 (W4A4) or fp4.",
            choices: SimulatedPrecision.self),
        "group_size": FieldDoc("Consecutive elements sharing one scale (the papers' 256).", range: .atLeast(1)),
        "quantize_output": FieldDoc(
            "Quantise the output layer too (the papers keep the LM head in full precision)."),
    ]
}

/// `model.lowbit-mlp`: an MLP whose linear layers run in simulated INT4 or FP4 (straight-through backward), for
/// training with any optimizer as in Stable-SPAM's 4-bit experiments.
public struct LowPrecisionMLPPlugin: ModelPlugin {
    public static let descriptor = PluginDescriptor(
        id: "model.lowbit-mlp", kind: .model, version: "0.1.0",
        summary: "MLP with simulated INT4/FP4 weights and activations", config: LowPrecisionMLPConfig.self)

    public static func makeModel(_ c: LowPrecisionMLPConfig, task: TaskInfo, using rng: inout RandomGenerator) throws
        -> any Layer
    {
        let mlp = MLP(
            inputs: task.inputFeatures, hidden: c.hidden, outputs: task.classCount, activation: c.activation,
            rng: &rng)
        guard let (w, a) = c.precision.quantizers(groupSize: c.groupSize) else { return FlattenedLayers(mlp.layers) }
        let linears = mlp.layers.layers.compactMap { $0 as? Linear }
        let layers: [any Layer] = mlp.layers.layers.map { layer in
            guard let linear = layer as? Linear, c.quantizeOutput || linear !== linears.last else { return layer }
            return QuantizedLinear(linear, weights: w, activations: a)
        }
        return FlattenedLayers(Sequential(layers))
    }
}

/// Layers that flatten each example first; parameters `layers.0.weight`, … as `model.mlp`'s.
final class FlattenedLayers: Layer {
    var isTraining = true
    let layers: Sequential

    init(_ layers: Sequential) { self.layers = layers }

    /// `[B, ...]` → `[B, classes]`.
    func forward(_ x: Tensor) -> Tensor { layers(x.rank > 2 ? x.flattened(from: 1) : x) }
}

public import Experiment
public import PluginAPI
public import TensorEngine
public import TensorNN

/// `model.lowbit-mlp`'s configuration: `model.mlp`'s keys plus the simulated precision.
public struct LowPrecisionMLPConfig: PluginConfig {
    public var hidden = [64, 64]
    public var activation = ActivationFunction.relu
    public var precision = SimulatedPrecision.int4
    public var groupSize: Int? = nil
    public var quantizeInput = true
    public var quantizeOutput = false

    /// The defaults.
    public init() {}

    public static let documentation: [String: FieldDoc] = [
        "hidden": FieldDoc(
            "Width of each hidden layer, input side first.", range: .atLeast(1), type: .array(.integer)),
        "activation": FieldDoc("Nonlinearity after each hidden layer.", choices: ActivationFunction.self),
        "precision": FieldDoc(
            "Simulated precision of the linear layers' weights and inputs: fp32, int4 (W4A4) or fp4.",
            choices: SimulatedPrecision.self),
        "group_size": FieldDoc(
            "Consecutive elements sharing one scale (the papers' 256), along each quantised layer's input "
                + "features: it must divide their widths. null (the default): each layer's whole input row is one "
                + "group, which fits any width.",
            range: .atLeast(1), type: .integer),
        "quantize_input": FieldDoc(
            "Quantise the first layer, which reads the raw features (as the papers keep the embedding full "
                + "precision, set false for inputs too narrow for a group)."),
        "quantize_output": FieldDoc(
            "Quantise the output layer too (the papers keep the LM head in full precision)."),
    ]

    public func validate(_ v: inout ConfigValidator) {
        guard let groupSize else { return }
        for (i, width) in hidden.enumerated() where precision != .fp32 && width % groupSize != 0 {
            // Hidden widths are the inputs of the layers after them, quantised unless it is the output layer.
            if i < hidden.count - 1 || quantizeOutput {
                v.check(false, key: "group_size", "must divide every hidden width (hidden[\(i)] = \(width))")
            }
        }
    }
}

/// `model.lowbit-mlp`: an MLP whose linear layers run in simulated INT4 or FP4 (``LinearQuantization``,
/// straight-through backward), for training with any optimizer as in Stable-SPAM's 4-bit experiments.
public struct LowPrecisionMLPPlugin: ModelPlugin {
    public static let descriptor = PluginDescriptor(
        id: "model.lowbit-mlp", kind: .model, version: "0.3.0",
        summary: "MLP with simulated INT4/FP4 weights and activations", config: LowPrecisionMLPConfig.self)

    public static func makeModel(_ c: LowPrecisionMLPConfig, task: TaskInfo, using rng: inout RandomGenerator) throws
        -> any Layer
    {
        let mlp = MLP(
            inputs: task.inputFeatures, hidden: c.hidden, outputs: task.classCount, activation: c.activation,
            rng: &rng)
        let linears = mlp.layers.layers.compactMap { $0 as? Linear }
        for (i, linear) in linears.enumerated() {
            if i == 0 && !c.quantizeInput { continue }
            if i == linears.count - 1 && !c.quantizeOutput { continue }
            let group = c.groupSize ?? linear.inputs
            guard let quantization = c.precision.quantization(groupSize: group) else { break }
            guard quantization.fits(inputWidth: linear.inputs) else {
                throw ConfigurationMismatch(
                    key: "group_size",
                    message: "\(group) does not divide the \(linear.inputs) inputs of layer \(i)"
                        + (i == 0 ? "; set quantize_input: false to keep the first layer in full precision" : ""))
            }
            linear.quantization = quantization
        }
        return FlattenedLayers(mlp.layers)
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

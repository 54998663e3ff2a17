import PluginAPI
import TensorEngine
import TensorNN

/// `model.mlp`: a multilayer perceptron on flattened examples (images `[C, H, W]` become `C·H·W` features).
struct MLPPlugin: ModelPlugin {
    struct Config: PluginConfig {
        var hidden = [64, 64]
        var activation = ActivationFunction.relu
        static let documentation: [String: FieldDoc] = [
            "hidden": FieldDoc(
                "Width of each hidden layer, input side first; [] is a linear model.", range: .atLeast(1),
                type: .array(.integer)),
            "activation": FieldDoc("Nonlinearity after each hidden layer.", choices: ActivationFunction.self),
        ]
    }
    static let descriptor = PluginDescriptor(
        id: "model.mlp", kind: .model, version: "1.0.0", summary: "Multilayer perceptron on flattened inputs",
        config: Config.self)
    static func makeModel(_ c: Config, task: TaskInfo, using rng: inout RandomGenerator) throws -> any Layer {
        let mlp = MLP(
            inputs: task.inputFeatures, hidden: c.hidden, outputs: task.classCount, activation: c.activation,
            rng: &rng)
        return FlatMLP(layers: mlp.layers)
    }
}

/// An MLP that flattens each example first. Its parameters are `layers.0.weight`, … as in ``MLP``.
final class FlatMLP: Layer {
    var isTraining = true
    let layers: Sequential

    init(layers: Sequential) { self.layers = layers }

    /// `[B, ...]` → logits `[B, classes]`.
    func forward(_ x: Tensor) -> Tensor { layers(x.rank > 2 ? x.flattened(from: 1) : x) }
}

public import PluginAPI
public import TensorEngine
public import TensorNN

/// A network architecture for the spec's `model:` slot (`model.mlp`).
///
/// The model takes a batch of examples `[B, ...exampleShape]` and returns logits `[B, classCount]`. A graph
/// model (``input`` ``ModelInput/graphNodes``) takes node ids `[B]` instead and finds the graph in
/// ``TaskInfo/graph``. Parameter paths are the model's identity in checkpoints: keep them stable across versions
/// of the plugin.
public protocol ModelPlugin: KilnPlugin {
    /// The plugin's configuration; the descriptor's `config` must be this type.
    associatedtype Config: PluginConfig
    /// What the model reads; a spec pairing it with data it cannot read fails validation.
    static var input: ModelInput { get }
    /// A freshly initialised model for `task`, drawing its initial weights from `rng` (the run's model stream).
    /// Throws when the task does not suit the architecture (say, an image model on vectors).
    static func makeModel(_ config: Config, task: TaskInfo, using rng: inout RandomGenerator) throws -> any Layer
}

extension ModelPlugin {
    /// Examples of any shape.
    public static var input: ModelInput { .examples }

    static func makeModel(erased config: any PluginConfig, task: TaskInfo, using rng: inout RandomGenerator) throws
        -> any Layer
    {
        try makeModel(castConfig(config, of: Self.self), task: task, using: &rng)
    }
}

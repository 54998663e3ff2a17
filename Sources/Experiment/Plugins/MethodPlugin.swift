public import PluginAPI
public import TensorEngine
public import TensorNN

/// A training procedure for the spec's `train.method` (or a training stage): given the model, a batch and a
/// random generator, the loss to minimise and any extra metrics.
///
/// The run driver owns everything around it: it clears gradients, calls ``loss(model:batch:rng:)``, checks the
/// loss is finite, back-propagates it, steps the optimizer, and logs, evaluates and checkpoints on schedule.
/// `rng` is the run's method stream; it is saved in checkpoints, so a method that draws all its randomness from
/// it resumes bit-identically. A method that runs backward passes of its own (an adversarial attack) must clear
/// the model's gradients afterwards.
///
/// ```swift
/// struct Supervised: MethodPlugin {
///     static let descriptor = PluginDescriptor(
///         id: "train.supervised", kind: .method, version: "1.0.0", summary: "Cross-entropy on labels",
///         config: SupervisedConfig.self)
///     let config: SupervisedConfig
///     init(config: SupervisedConfig, task: TaskInfo) throws { self.config = config }
///     func loss(model: any Layer, batch: Minibatch, rng: inout RandomGenerator) throws -> MethodOutput {
///         let logits = model(batch.inputs)
///         return MethodOutput(loss: logits.crossEntropy(targets: batch.labels), watched: [("logits", logits)])
///     }
/// }
/// ```
public protocol MethodPlugin: KilnPlugin {
    /// The plugin's configuration; the descriptor's `config` must be this type.
    associatedtype Config: PluginConfig
    /// The dataset kinds this method can train on; a spec pairing it with another kind is rejected before it
    /// runs. Labeled and graph data by default (a graph's nodes are its examples).
    static var accepts: Set<DataKind> { get }
    /// The method for one training run (or stage) of `task`.
    init(config: Config, task: TaskInfo) throws
    /// The scalar loss of `model` on `batch`, recorded on the graph, plus metrics logged as `train.<name>`.
    mutating func loss(model: any Layer, batch: Minibatch, rng: inout RandomGenerator) throws -> MethodOutput
}

extension MethodPlugin {
    /// Labeled and graph data.
    public static var accepts: Set<DataKind> { [.labeled, .graph] }

    static func make(erased config: any PluginConfig, task: TaskInfo) throws -> any MethodPlugin {
        try Self(config: castConfig(config, of: Self.self), task: task)
    }
}

/// What a method returns for one batch.
public struct MethodOutput {
    /// The scalar loss, recorded on the graph; the driver calls `backward()` on it.
    public var loss: Tensor
    /// Extra scalars to log this step (`train.<name>` in the metrics files).
    public var metrics: [String: Double]
    /// Intermediate tensors to name when the loss is not finite (`logits`), checked in order.
    public var watched: [(name: String, tensor: Tensor)]

    /// A loss with optional metrics and watched tensors.
    public init(loss: Tensor, metrics: [String: Double] = [:], watched: [(name: String, tensor: Tensor)] = []) {
        self.loss = loss
        self.metrics = metrics
        self.watched = watched
    }
}

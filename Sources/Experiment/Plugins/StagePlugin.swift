public import Foundation
public import Logging
public import PluginAPI
public import TensorEngine
public import TensorNN

/// A step of a stage chain that transforms a model (`stage.prune-magnitude`): it takes the model the stage
/// before left and changes it in place. Training stages are ``MethodPlugin``s and evaluation stages
/// ``EvaluatorPlugin``s; this protocol is for everything else (prune, edit, quantise, unlearn).
public protocol StagePlugin: KilnPlugin {
    /// The plugin's configuration; the descriptor's `config` must be this type.
    associatedtype Config: PluginConfig
    /// Transforms `model` in place. Masks in the outcome hold parameters at zero through later training stages.
    static func apply(_ config: Config, to model: any Layer, context: inout StageContext) throws -> StageOutcome
}

extension StagePlugin {
    static func apply(erased config: any PluginConfig, to model: any Layer, context: inout StageContext) throws
        -> StageOutcome
    {
        try apply(castConfig(config, of: Self.self), to: model, context: &context)
    }
}

/// What a stage sees besides the model.
public struct StageContext {
    /// The stage's name in the chain.
    public var name: String
    /// The run's data (supervised view).
    public var data: LabeledDataset
    /// The task the model was built for.
    public var task: TaskInfo
    /// The stage's own random stream (derived from the run's seed and the stage's position).
    public var rng: RandomGenerator
    /// The run's logger (`run.log`).
    public var logger: Logger
    /// The stage's folder, for any files it writes.
    public var folder: URL
}

/// What a stage did.
public struct StageOutcome {
    /// Scalars to report for the stage (`sparsity`).
    public var metrics: [String: Double]
    /// 0/1 masks by parameter path: later training stages multiply the parameter by its mask after every step,
    /// so pruned weights stay pruned. A mask combines with (multiplies) the masks of earlier stages. Empty for
    /// stages that do not constrain the model.
    public var masks: [String: Tensor]

    /// An outcome with optional metrics and masks.
    public init(metrics: [String: Double] = [:], masks: [String: Tensor] = [:]) {
        self.metrics = metrics
        self.masks = masks
    }
}

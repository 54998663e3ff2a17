public import Foundation
public import PluginAPI

/// A validated experiment with every default filled in: what `kiln run` executes.
///
/// Plugin configurations are held both as typed values (for the plugin's factory) and as trees (for
/// `spec.resolved.yaml`); paths are absolute and already checked against the roots.
public struct ExperimentSpec: Sendable, Equatable {
    /// Where each key was written, when the spec was read from a file (not part of equality).
    public var written: SpecSource? = nil
    /// The run's name; also its folder's name. Sweep children are `PARENT/NNN-key=value`.
    public var name: String
    /// Seed for every random generator of the run.
    public var seed: Int
    /// Queue priority; higher runs first.
    public var priority: Int
    /// Absolute path of a checkpoint to start from.
    public var startFrom: URL?
    /// The dataset plugin (`data:` slot).
    public var data: PluginUse
    /// The image transforms of the `data:` slot's `augment:` mapping; none by default.
    public var augment = DataAugmentation()
    /// The model plugin (`model:` slot).
    public var model: PluginUse
    /// The optimizer and its schedule; nil when nothing trains with the top-level optimizer.
    public var optimizer: OptimizerSpec?
    /// The single training method; nil when the spec lists ``stages`` instead.
    public var train: TrainSpec?
    /// The stage chain, each stage taking the model from the one before; empty when ``train`` is set.
    public var stages: [StageSpec]
    /// Evaluation cadence and evaluators.
    public var eval: EvalSpec
    /// Checkpoint cadence and retention.
    public var checkpoint: CheckpointPolicy
    /// Scheduler hints.
    public var resources: ResourceHints
    /// The spec file this came from.
    public var source: URL

    /// Equal when they would run the same experiment; where the spec was read from does not matter.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        (lhs.name, lhs.seed, lhs.priority, lhs.startFrom, lhs.data, lhs.model) == (
            rhs.name, rhs.seed, rhs.priority, rhs.startFrom, rhs.data, rhs.model
        )
            && (lhs.optimizer, lhs.train, lhs.stages, lhs.eval) == (rhs.optimizer, rhs.train, rhs.stages, rhs.eval)
            && (lhs.augment, lhs.checkpoint, lhs.resources) == (rhs.augment, rhs.checkpoint, rhs.resources)
    }
}

/// A plugin chosen by a spec, with its complete configuration.
public struct PluginUse: Sendable, Equatable {
    /// The plugin's id: `optim.adamw`.
    public var id: String
    /// The plugin's kind.
    public var kind: PluginKind
    /// The registered version the configuration was checked against.
    public var version: String
    /// The configuration as a tree, every default filled in (YAML spelling of keys).
    public var values: ConfigObject
    /// The configuration decoded into the plugin's own type.
    public var config: any PluginConfig

    /// A use of `descriptor` with the given configuration.
    public init(descriptor: PluginDescriptor, values: ConfigObject, config: any PluginConfig) {
        self.id = descriptor.id
        self.kind = descriptor.kind
        self.version = descriptor.version
        self.values = values
        self.config = config
    }

    /// The configuration as the plugin's type, or nil if `type` is not that type.
    public func config<C: PluginConfig>(as type: C.Type) -> C? { config as? C }

    /// Equal when the same plugin has the same configuration tree.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.id == rhs.id && lhs.version == rhs.version && lhs.values == rhs.values
    }
}

/// The optimizer and the learning-rate schedule around it.
public struct OptimizerSpec: Sendable, Equatable {
    /// The optimizer plugin.
    public var plugin: PluginUse
    /// The schedule that scales its learning rate.
    public var schedule: LRSchedule
}

/// A training method with its loop length.
public struct TrainSpec: Sendable, Equatable {
    /// The method plugin (`train.supervised`).
    public var method: PluginUse
    /// Steps and batch size.
    public var loop: TrainingLoop
}

/// One step of a stage chain.
public struct StageSpec: Sendable, Equatable {
    /// The stage's name, unique in the chain; its outputs go in a folder of this name.
    public var name: String
    /// A `stage.*`, `train.*` or `eval.*` plugin.
    public var plugin: PluginUse
    /// Steps and batch for a training stage; nil for other kinds.
    public var loop: TrainingLoop?
    /// The optimizer a training stage uses: its own if it sets one, else the spec's.
    public var optimizer: OptimizerSpec?
}

/// When to evaluate, and with what.
public struct EvalSpec: Sendable, Equatable {
    /// Steps between evaluations; 0 evaluates only at the end.
    public var every: Int
    /// The evaluator plugins, in order.
    public var evaluators: [PluginUse]
}

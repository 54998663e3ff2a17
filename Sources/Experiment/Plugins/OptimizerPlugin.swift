public import PluginAPI
public import TensorNN

/// An update rule for the spec's `optimizer:` slot (`optim.adamw`).
///
/// The run driver sets the returned optimizer's `schedule` from the spec's `optimizer.schedule`, saves and
/// restores its state through `exportState`/`loadState` in checkpoints, and calls `zeroGrad` and `step` once per
/// training step. A new rule is usually an `UpdateRule` driven by `GroupedOptimizer`:
///
/// ```swift
/// struct LionPlugin: OptimizerPlugin {
///     static let descriptor = PluginDescriptor(
///         id: "optim.lion", kind: .optimizer, version: "0.1.0", summary: "Sign of an interpolated momentum",
///         config: LionConfig.self)
///     static func makeOptimizer(_ c: LionConfig, parameters: [NamedParameter]) throws -> any Optimizer {
///         GroupedOptimizer(rule: LionRule(beta1: c.beta1, beta2: c.beta2), groups: [ParameterGroup(parameters)],
///                          lr: c.lr, weightDecay: c.weightDecay)
///     }
/// }
/// ```
public protocol OptimizerPlugin: KilnPlugin {
    /// The plugin's configuration; the descriptor's `config` must be this type.
    associatedtype Config: PluginConfig
    /// An optimizer over `parameters` (the model's trainable parameters, with their paths).
    static func makeOptimizer(_ config: Config, parameters: [NamedParameter]) throws -> any Optimizer
}

extension OptimizerPlugin {
    static func makeOptimizer(erased config: any PluginConfig, parameters: [NamedParameter]) throws -> any Optimizer {
        try makeOptimizer(castConfig(config, of: Self.self), parameters: parameters)
    }
}

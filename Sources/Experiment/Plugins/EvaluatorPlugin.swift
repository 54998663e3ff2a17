public import Foundation
public import PluginAPI
public import TensorEngine
public import TensorNN

/// A metric computed on held-out data, for the spec's `eval.evaluators` (`eval.accuracy`).
///
/// Called at the evaluation cadence and at the end of training, with the model in evaluation mode and gradients
/// off. Metrics are logged as `test.<name>`; `details` (a confusion matrix, per-class tables) go to
/// `eval/<plugin-id>.json` and `result.json`; `files` (a per-example table, a plot) go beside them.
///
/// A randomised evaluator (Monte Carlo certification) implements the `rng:` variant as well: the run passes a
/// generator derived from its seed, the evaluation's step and the evaluator's position in the list, so the same
/// spec evaluates to the same numbers, also after a resume.
public protocol EvaluatorPlugin: KilnPlugin {
    /// The plugin's configuration; the descriptor's `config` must be this type.
    associatedtype Config: PluginConfig
    /// Evaluates `model` on `split` (the dataset's test split, or a graph's test nodes).
    static func evaluate(_ config: Config, model: any Layer, split: DataSplit, task: TaskInfo) throws -> Evaluation
    /// Evaluates `model` on `split` drawing any randomness from `rng`, the run's evaluation stream. The default
    /// ignores `rng` and calls the variant without it.
    static func evaluate(
        _ config: Config, model: any Layer, split: DataSplit, task: TaskInfo, rng: inout RandomGenerator
    ) throws -> Evaluation
}

extension EvaluatorPlugin {
    /// A deterministic evaluator needs no randomness.
    public static func evaluate(
        _ config: Config, model: any Layer, split: DataSplit, task: TaskInfo, rng: inout RandomGenerator
    ) throws -> Evaluation {
        try evaluate(config, model: model, split: split, task: task)
    }

    static func evaluate(
        erased config: any PluginConfig, model: any Layer, split: DataSplit, task: TaskInfo,
        rng: inout RandomGenerator
    ) throws -> Evaluation {
        try evaluate(castConfig(config, of: Self.self), model: model, split: split, task: task, rng: &rng)
    }
}

/// An evaluator that draws randomness (Monte Carlo certification): it implements the `rng:` variant only; called
/// without a run's stream (tools, tests), it draws from seed 0.
public protocol RandomizedEvaluatorPlugin: EvaluatorPlugin {}

extension RandomizedEvaluatorPlugin {
    /// The `rng:` variant with a generator seeded 0.
    public static func evaluate(_ config: Config, model: any Layer, split: DataSplit, task: TaskInfo) throws
        -> Evaluation
    {
        var rng = RandomGenerator(seed: 0)
        return try evaluate(config, model: model, split: split, task: task, rng: &rng)
    }
}

/// What an evaluator found.
public struct Evaluation: Sendable, Equatable {
    /// Scalars to log and plot, by name without the `test.` prefix (`accuracy`, `class_accuracy.3`).
    public var metrics: [String: Double]
    /// Structured results that are not scalars series (a confusion matrix), as a JSON-like tree.
    public var details: ConfigObject
    /// Files to keep beside the details, by name (`examples.csv`): the run writes each atomically to its
    /// `eval/` folder as `<plugin-id>.<name>`, replacing the previous evaluation's. Names are plain file names.
    public var files: [String: Data]

    /// An evaluation with `metrics` and optional `details` and `files`.
    public init(metrics: [String: Double], details: ConfigObject = [:], files: [String: Data] = [:]) {
        self.metrics = metrics
        self.details = details
        self.files = files
    }
}

/// Helpers evaluators share.
public enum EvaluationSupport {
    /// Logits `[N, C]` of `model` on every row of `inputs`, computed in chunks of `batch` rows without recording
    /// gradients and with the model in evaluation mode (restored afterwards).
    public static func logits(of model: any Layer, on inputs: Tensor, batch: Int = 1024) -> Tensor {
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        return withoutGradients {
            let n = inputs.shape[0]
            var parts: [Tensor] = []
            var start = 0
            while start < n {
                let end = Swift.min(n, start + batch)
                parts.append(model(inputs.slice(axis: 0, start..<end)))
                start = end
            }
            return parts.count == 1 ? parts[0] : Tensor.concatenate(parts, axis: 0)
        }
    }
}

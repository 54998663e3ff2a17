import Experiment
import Foundation
import PluginAPI
import TensorEngine
import TensorNN

/// `eval.predict`: the smoothed classifier's prediction (PREDICT) on the test split.
///
/// For each example: n noisy samples; the most frequent class is returned unless the two-sided binomial test of
/// its count against the runner-up's (H0: p = ½) has p-value above α, in which case PREDICT abstains. A returned
/// class is wrong with probability at most α. Metrics: `accuracy` (abstentions count as wrong), `abstain_rate`,
/// `worst_class_accuracy`, `class_accuracy.<c>`. Noise comes from the run's evaluation stream, per example index.
struct PredictPlugin: RandomizedEvaluatorPlugin {
    struct Config: PluginConfig {
        var sigma = 0.25
        var n = 1000
        var alpha = 0.001
        var batch = 1000
        var skip = 1
        var maxExamples = 0
        static let documentation: [String: FieldDoc] = [
            "sigma": FieldDoc("Noise standard deviation σ, in input units ([0, 1] pixels).", range: .positive),
            "n": FieldDoc("Noisy samples per example.", range: .atLeast(1)),
            "alpha": FieldDoc(
                "Abstain when the binomial test's p-value exceeds α.", range: FieldRange.greaterThan(0).below(1)),
            "batch": FieldDoc("Noisy copies per forward pass.", range: .atLeast(1)),
            "skip": FieldDoc("Predict every skip-th test example.", range: .atLeast(1)),
            "max_examples": FieldDoc("Stop after this many examples; 0 predicts all.", range: .nonNegative),
        ]
    }
    static let descriptor = PluginDescriptor(
        id: "eval.predict", kind: .evaluator, version: "0.1.0",
        summary: "Randomized-smoothing PREDICT with the two-sided binomial test: accuracy and abstentions",
        config: Config.self)

    static func evaluate(
        _ c: Config, model: any Layer, split: DataSplit, task: TaskInfo, rng: inout RandomGenerator
    ) throws -> Evaluation {
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        let sampler = NoiseSampler(model: model, classCount: task.classCount, sigma: c.sigma, batch: c.batch)
        var indices = Array(stride(from: 0, to: split.count, by: c.skip))
        if c.maxExamples > 0 { indices = Array(indices.prefix(c.maxExamples)) }
        let scalars = split.labels.scalars
        try checkLabels(scalars, at: indices, classCount: task.classCount)
        let labels = scalars.map { Int($0) }
        var correct = [Int: Int](), seen = [Int: Int](), abstained = 0
        for i in indices {
            var stream = rng.derived(UInt64(i))
            let prediction = RandomizedSmoothing.predict(
                split.inputs.index(i, along: 0), sampler: sampler, n: c.n, alpha: c.alpha, rng: &stream)
            seen[labels[i], default: 0] += 1
            if prediction == nil { abstained += 1 }
            if prediction == labels[i] { correct[labels[i], default: 0] += 1 }
        }
        let total = Swift.max(indices.count, 1)
        let perClass = seen.map { (label: $0.key, value: Double(correct[$0.key] ?? 0) / Double($0.value)) }
        var metrics: [String: Double] = [
            "accuracy": Double(correct.values.reduce(0, +)) / Double(total),
            "abstain_rate": Double(abstained) / Double(total),
        ]
        for entry in perClass { metrics["class_accuracy.\(entry.label)"] = entry.value }
        let name = { (k: Int) -> String in task.classNames.flatMap { $0.indices.contains(k) ? $0[k] : nil } ?? "\(k)" }
        var details: ConfigObject = [
            "examples": .int(indices.count),
            "class_accuracy": .object(
                ConfigObject(perClass.sorted { $0.label < $1.label }.map { (name($0.label), .double($0.value)) })),
            "settings": ["sigma": .double(c.sigma), "n": .int(c.n), "alpha": .double(c.alpha), "skip": .int(c.skip)],
        ]
        if let worst = perClass.min(by: { ($0.value, $0.label) < ($1.value, $1.label) }) {
            metrics["worst_class_accuracy"] = worst.value
            details["worst_class"] = .string(name(worst.label))
        }
        return Evaluation(metrics: metrics, details: details)
    }
}

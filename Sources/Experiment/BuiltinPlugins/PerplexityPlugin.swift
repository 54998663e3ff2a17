import Foundation
import PluginAPI
import TensorEngine
import TensorNN

/// `eval.perplexity`: the mean next-byte cross-entropy of a language model on the held-out text windows, and
/// its exponential, the perplexity (256 for a model that predicts every byte uniformly).
///
/// Metrics: `loss` (nats per byte), `perplexity` = e^loss, `bits_per_byte` = loss / ln 2, and `bytes` (how many
/// predictions were scored). Every target byte of the evaluated windows counts once.
struct PerplexityPlugin: EvaluatorPlugin {
    struct Config: PluginConfig {
        var batch = 32
        var maxWindows = 0
        static let documentation: [String: FieldDoc] = [
            "batch": FieldDoc("Windows per forward pass.", range: .atLeast(1)),
            "max_windows": FieldDoc(
                "Evaluate only the first this many held-out windows (a quicker estimate); 0 evaluates all.",
                range: .nonNegative),
        ]
    }
    static let descriptor = PluginDescriptor(
        id: "eval.perplexity", kind: .evaluator, version: "1.0.0",
        summary: "Held-out next-byte loss and perplexity of a language model", config: Config.self)

    static func evaluate(_ c: Config, model: any Layer, split: DataSplit, task: TaskInfo) throws -> Evaluation {
        guard split.inputs.rank == 2, split.inputs.shape[1] >= 2 else {
            throw RunError.plugin(
                id: descriptor.id, message: "expects text windows [N, T + 1], got \(split.inputs.shape)")
        }
        let n = c.maxWindows > 0 ? Swift.min(c.maxWindows, split.count) : split.count
        guard n > 0 else { throw RunError.plugin(id: descriptor.id, message: "there are no held-out windows") }
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        // Each chunk's mean weighted by its size: the mean over every scored byte.
        var total = 0.0
        var start = 0
        try withoutGradients {
            while start < n {
                let end = Swift.min(n, start + c.batch)
                let (ids, targets) = NextToken.split(split.inputs.slice(axis: 0, start..<end))
                let logits = try NextToken.flatten(model(ids), for: ids)
                total += Double(logits.crossEntropy(targets: targets.reshaped([-1])).item) * Double(targets.count)
                start = end
            }
        }
        let bytes = n * (split.inputs.shape[1] - 1)
        let loss = total / Double(bytes)
        return Evaluation(metrics: [
            "loss": loss, "perplexity": Foundation.exp(loss), "bits_per_byte": loss / Foundation.log(2.0),
            "bytes": Double(bytes),
        ])
    }
}

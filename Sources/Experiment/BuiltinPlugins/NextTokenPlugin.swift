import Foundation
import PluginAPI
import TensorEngine
import TensorNN

/// `train.next-token`: language modelling on text windows. Each example is `context + 1` consecutive bytes; the
/// model reads the first `context` and is scored by the mean cross-entropy of its logits `[B, T, 256]` against
/// the next byte at every position. Logs the next-byte accuracy of the batch.
struct NextTokenPlugin: MethodPlugin {
    struct Config: PluginConfig {
        var labelSmoothing = 0.0
        static let documentation: [String: FieldDoc] = [
            "label_smoothing": FieldDoc(
                "Label smoothing ε: the target is (1 − ε)·one-hot + ε/256.", range: FieldRange.atLeast(0).below(1))
        ]
    }
    static let descriptor = PluginDescriptor(
        id: "train.next-token", kind: .method, version: "1.0.0",
        summary: "Next-byte cross-entropy on context windows of text", config: Config.self)
    static var accepts: Set<DataKind> { [.text] }

    let config: Config

    init(config: Config, task: TaskInfo) throws {
        guard task.exampleShape.count == 1, task.exampleShape[0] >= 2 else {
            throw RunError.plugin(
                id: Self.descriptor.id,
                message: "expects windows of at least 2 bytes (text data), got examples \(task.exampleShape)")
        }
        self.config = config
    }

    func loss(model: any Layer, batch: Minibatch, rng: inout RandomGenerator) throws -> MethodOutput {
        let (ids, targets) = NextToken.split(batch.inputs)
        let logits = model(ids)
        let flat = try NextToken.flatten(logits, for: ids)
        let flatTargets = targets.reshaped([-1])
        let loss = flat.crossEntropy(targets: flatTargets, labelSmoothing: Float(config.labelSmoothing))
        let correct = flat.detached().argmax(axis: 1).equal(flatTargets).sum().item
        return MethodOutput(
            loss: loss, metrics: ["accuracy": Double(correct) / Double(Swift.max(flatTargets.count, 1))],
            watched: [("logits", logits)])
    }
}

/// What the next-token method and the perplexity evaluator share.
enum NextToken {
    /// Windows `[B, T + 1]` → ids `[B, T]` (the first T bytes) and targets `[B, T]` (the last T).
    static func split(_ windows: Tensor) -> (ids: Tensor, targets: Tensor) {
        let t = windows.shape[1] - 1
        return (windows.slice(axis: 1, 0..<t), windows.slice(axis: 1, 1...t))
    }

    /// Logits `[B, T, 256]` as `[B·T, 256]`; throws when the model does not give one row of 256 per byte.
    static func flatten(_ logits: Tensor, for ids: Tensor) throws -> Tensor {
        guard logits.rank == 3, Array(logits.shape.prefix(2)) == ids.shape, logits.shape[2] == 256 else {
            throw RunError.plugin(
                id: NextTokenPlugin.descriptor.id,
                message: "the model must map ids \(ids.shape) to logits [B, T, 256], got \(logits.shape) "
                    + "(use a language model such as model.gpt)")
        }
        return logits.reshaped([-1, 256])
    }
}

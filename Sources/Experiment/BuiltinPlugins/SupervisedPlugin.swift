import PluginAPI
import TensorEngine
import TensorNN

/// `train.supervised`: cross-entropy on the labels, with optional label smoothing; logs the batch accuracy.
struct SupervisedPlugin: MethodPlugin {
    struct Config: PluginConfig {
        var labelSmoothing = 0.0
        static let documentation: [String: FieldDoc] = [
            "label_smoothing": FieldDoc(
                "Label smoothing ε: the target is (1 − ε)·one-hot + ε/C.", range: FieldRange.atLeast(0).below(1))
        ]
    }
    static let descriptor = PluginDescriptor(
        id: "train.supervised", kind: .method, version: "1.0.0", summary: "Cross-entropy training on class labels",
        config: Config.self)

    let config: Config

    init(config: Config, task: TaskInfo) throws { self.config = config }

    func loss(model: any Layer, batch: Minibatch, rng: inout RandomGenerator) throws -> MethodOutput {
        let logits = model(batch.inputs)
        let loss = logits.crossEntropy(targets: batch.labels, labelSmoothing: Float(config.labelSmoothing))
        let correct = logits.detached().argmax(axis: 1).equal(batch.labels).sum().item
        return MethodOutput(
            loss: loss, metrics: ["accuracy": Double(correct) / Double(Swift.max(batch.labels.count, 1))],
            watched: [("logits", logits)])
    }
}

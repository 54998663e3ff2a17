import Experiment
import PluginAPI
import TensorEngine
import TensorNN

/// `train.gaussian-noise`: cross-entropy on Gaussian-noised inputs, the base-classifier training of randomized
/// smoothing (Cohen et al. 2019).
///
/// Every step every example gets fresh noise N(0, σ²I) from the method's stream (checkpointed, so a resumed run
/// draws the same noise). The noise goes on the inputs as the dataset delivers them: Kiln's image datasets are in
/// [0, 1] pixel units with no normalisation in the data pipeline, so this is "before normalisation" as the
/// reference does it, and the noisy input is not clipped (clipping breaks the Gaussian-shift argument).
/// Train with the σ you certify with.
struct GaussianNoisePlugin: MethodPlugin {
    struct Config: PluginConfig {
        var sigma = 0.25
        static let documentation: [String: FieldDoc] = [
            "sigma": FieldDoc("Noise standard deviation σ in input units ([0, 1] pixels); 0 is plain training.",
                              range: .nonNegative)
        ]
    }
    static let descriptor = PluginDescriptor(
        id: "train.gaussian-noise", kind: .method, version: "0.1.0",
        summary: "Cross-entropy on inputs plus Gaussian noise (randomized-smoothing training), unclipped",
        config: Config.self)
    static var accepts: Set<DataKind> { [.labeled] }

    let config: Config

    init(config: Config, task: TaskInfo) throws { self.config = config }

    func loss(model: any Layer, batch: Minibatch, rng: inout RandomGenerator) throws -> MethodOutput {
        let logits = model(GaussianNoise.add(to: batch.inputs, sigma: config.sigma, using: &rng))
        let loss = logits.crossEntropy(targets: batch.labels)
        let correct = logits.detached().argmax(axis: 1).equal(batch.labels).sum().item
        return MethodOutput(
            loss: loss, metrics: ["noisy_accuracy": Double(correct) / Double(Swift.max(batch.labels.count, 1))],
            watched: [("logits", logits)])
    }
}

/// Input noise shared by the training methods.
enum GaussianNoise {
    /// `x + N(0, σ²I)`, drawn from `rng`, not clipped; `x` itself when σ = 0. Records nothing new on the graph
    /// (the noise is a constant).
    static func add(to x: Tensor, sigma: Double, using rng: inout RandomGenerator) -> Tensor {
        guard sigma > 0 else { return x }
        return x + Tensor.normal(x.shape, std: Float(sigma), using: &rng)
    }
}

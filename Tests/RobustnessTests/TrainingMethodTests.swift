import Experiment
import Foundation
import PluginAPI
import TensorEngine
import TensorNN
import Testing

@testable import Robustness

@Suite struct TrainingMethodTests {
    @Test func catalogAcceptsEveryPluginWithCompleteDocumentation() throws {
        let catalog = try PluginCatalog(BuiltinPlugins.all + RobustnessPlugins.all)
        for id in ["train.gaussian-noise", "train.eigen-reg", "eval.certify", "eval.predict"] {
            #expect(catalog[id] != nil, "\(id) missing")
        }
        #expect(catalog["eval.certify"] is any GaussianSamplingPlugin.Type)
        #expect(try EigenRegPlugin.Config.documentationProblems().isEmpty)
        #expect(try CertifyPlugin.Config.documentationProblems().isEmpty)
    }

    @Test func gaussianNoiseIsFreshUnclippedAndFromTheMethodStream() throws {
        // Inputs at 0 and 1 (the ends of the pixel range): the noisy copies leave [0, 1], unclipped.
        let recorder = InputRecorder(classes: 2)
        let inputs = Tensor([200, 1, 2, 2], (0..<800).map { Float($0 % 2) })
        let batch = Minibatch(inputs: inputs, labels: Tensor.zeros([200]), indices: Array(0..<200))
        let task = TaskInfo(exampleShape: [1, 2, 2], classCount: 2)
        let method = try GaussianNoisePlugin(config: .init(sigma: 0.25), task: task)
        var rng = RandomGenerator(seed: 8)
        _ = try method.loss(model: recorder, batch: batch, rng: &rng)
        _ = try method.loss(model: recorder, batch: batch, rng: &rng)
        let first = recorder.seen[0].scalars, second = recorder.seen[1].scalars
        let noise = zip(first, inputs.scalars).map { Double($0 - $1) }
        #expect(first.min()! < 0 && first.max()! > 1)
        let mean = noise.reduce(0, +) / 800, sd = (noise.map { $0 * $0 }.reduce(0, +) / 800).squareRoot()
        #expect(Swift.abs(mean) < 5 * 0.25 / 800.0.squareRoot() && Swift.abs(sd - 0.25) < 0.03)
        #expect(first != second)
        // The same stream reproduces the noise exactly.
        var replay = RandomGenerator(seed: 8)
        #expect(first == (inputs + Tensor.normal(inputs.shape, std: 0.25, using: &replay)).scalars)
    }

    /// A 3-class linear model on 1 feature with noise off: predictions are fixed, so the epoch's confusion matrix
    /// is known by hand. Logits (0, x, 2x − 3): x < 0 → class 0, 0 < x < 3 → class 1, x > 3 → class 2.
    func fixedSetup() -> (LinearProbe, [Minibatch]) {
        let probe = LinearProbe(features: 1, classes: 3, weight: [0, 1, 2], bias: [0, 0, -3])
        // Class 0: 3 right, 1 predicted 1. Class 1: 2 right, 2 predicted 2. Class 2: 2 right, 0 wrong.
        let xs: [Float] = [-1, -2, -1, 1, 1, 2, 4, 5, 4, 5]
        let ys: [Float] = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2]
        let order = [[0, 4, 8, 1, 5], [9, 2, 6, 3, 7]]
        let batches = order.map { idx in
            Minibatch(
                inputs: Tensor([idx.count, 1], idx.map { xs[$0] }), labels: Tensor([idx.count], idx.map { ys[$0] }),
                indices: idx)
        }
        return (probe, batches)
    }

    @Test func hardEstimatorLogsTheEpochAndWeightsTheNextOne() throws {
        let (probe, batches) = fixedSetup()
        var config = EigenRegPlugin.Config()
        (config.sigma, config.weight) = (0, 0.3)
        var method = try EigenRegPlugin(config: config, task: TaskInfo(exampleShape: [1], classCount: 3))
        var rng = RandomGenerator(seed: 1)
        // Epoch 1 trains with W = 1: plain cross-entropy.
        let first = try method.loss(model: probe, batch: batches[0], rng: &rng)
        let plain = probe(batches[0].inputs).crossEntropy(targets: batches[0].labels)
        #expect(Swift.abs(first.loss.item - plain.item) < 1e-6 && first.metrics["lambda_max"] == nil)
        _ = try method.loss(model: probe, batch: batches[1], rng: &rng)
        // The next epoch's first batch closes epoch 1.
        let second = try method.loss(model: probe, batch: batches[0], rng: &rng)
        let m = second.metrics
        #expect(m["class_error.0"] == 0.25 && m["class_error.1"] == 0.5 && m["class_error.2"] == 0)
        #expect(m["worst_class"] == 1 && m["worst_class_error"] == 0.5 && m["epochs"] == 1)
        // Rates: C[1][0] = 1/4, C[2][1] = 2/4.
        let c = [0, 0, 0, 0.25, 0, 0, 0, 0.5, 0]
        let root = PerronRoot(c, k: 3, smoothing: config.smoothing)
        #expect(m["lambda_max"] == root.value)
        // The loss is (1 − a)·CE + a·mean W[pred][y]·CE_i with W the squashed gradient.
        let w = SpectralPenalty.weights(from: root.gradient, squash: .minmax)
        let logits = probe(batches[0].inputs)
        let logp = logits.logSoftmax(axis: 1).scalars
        let predicted = EigenRegPlugin.predictions(logits, labels: [0, 1, 2, 0, 1], margin: 0)
        var expected = 0.0
        for (row, y) in [0, 1, 2, 0, 1].enumerated() {
            let ce = -Double(logp[row * 3 + y])
            expected += (0.7 + 0.3 * w[predicted[row] * 3 + y]) * ce / 5
        }
        #expect(Swift.abs(Double(second.loss.item) - expected) < 1e-5)
    }

    @Test func marginScalesTheTrueLogitBeforeTheVote() {
        let logits = Tensor([2, 2], [1.0, 0.95, 1.0, 1.2])
        #expect(EigenRegPlugin.predictions(logits, labels: [0, 0], margin: 0) == [0, 1])
        #expect(EigenRegPlugin.predictions(logits, labels: [0, 0], margin: 0.1) == [1, 1])
    }

    @Test func softEstimatorBackpropagatesFiniteGradientsOnABatchMissingAClass() throws {
        let (probe, batches) = fixedSetup()
        var config = EigenRegPlugin.Config()
        (config.sigma, config.estimator, config.weight) = (0.25, .soft, 0.5)
        var method = try EigenRegPlugin(config: config, task: TaskInfo(exampleShape: [1], classCount: 3))
        var rng = RandomGenerator(seed: 2)
        // Only classes 0 and 1: column 2 of C_soft is zero.
        let partial = Minibatch(inputs: Tensor([3, 1], [-1, 1, 2]), labels: Tensor([3], [0, 1, 1]), indices: [0, 4, 5])
        for batch in [partial, batches[1]] {
            probe.zeroGrad()
            let out = try method.loss(model: probe, batch: batch, rng: &rng)
            out.loss.backward()
            #expect(out.loss.item.isFinite && out.metrics["batch_lambda_max"]!.isFinite)
            #expect(probe.weight.grad!.scalars.allSatisfy { $0.isFinite })
            #expect(probe.bias.grad!.scalars.allSatisfy { $0.isFinite })
        }
    }

    @Test func votesTallyNoisyPredictionsWithTheModelInEvaluationMode() throws {
        let (probe, batches) = fixedSetup()
        var config = EigenRegPlugin.Config()
        (config.sigma, config.votes) = (0.01, 5)
        var method = try EigenRegPlugin(config: config, task: TaskInfo(exampleShape: [1], classCount: 3))
        var rng = RandomGenerator(seed: 3)
        for b in [0, 1, 0] { _ = try method.loss(model: probe, batch: batches[b], rng: &rng) }
        #expect(probe.isTraining)
        // Far from the boundaries at σ = 0.01 the vote equals the noise-free prediction.
        let out = try method.loss(model: probe, batch: batches[1], rng: &rng)
        #expect(out.metrics["class_error.1"] == 0.5 && out.metrics["class_error.0"] == 0.25)
    }

    @Test func aSingleClassTaskIsRejected() {
        #expect(throws: RobustnessError.tooFewClasses(plugin: "train.eigen-reg", classCount: 1)) {
            _ = try EigenRegPlugin(config: .init(), task: TaskInfo(exampleShape: [1], classCount: 1))
        }
    }
}

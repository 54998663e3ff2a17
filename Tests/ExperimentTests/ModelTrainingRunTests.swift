import Experiment
import Foundation
import PluginAPI
import Testing

/// Each built-in model trains through the whole `kiln run` path (spec, data plugin, model plugin, method,
/// evaluator, checkpoints) on a small generated task and beats chance clearly, in seconds.
@Suite(.serialized) struct ModelTrainingRunTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let model: String
        let data: String
        let steps: Int
        let batch: Int
        /// Chance is 1/classes; the run must beat this.
        let minimumAccuracy: Double
        var testDescription: String { model }
    }

    /// Four classes of 8×8 colour patterns: chance 0.25.
    static let images =
        "dataset: data.images, classes: 4, channels: 3, height: 8, width: 8, train_per_class: 60, test_per_class: 25, "
        + "difficulty: 0.2"
    /// Three blocks whose features say little (signal 0.4 against noise 1) but whose edges stay mostly inside a
    /// block: chance 1/3, and a model that ignores the edges stays near it.
    static let graph =
        "dataset: data.sbm, classes: 3, max_nodes_per_class: 80, homophily: [0.9], average_degree: 8, "
        + "feature_dims: 8, feature_signal: 0.4"

    static let cases: [Case] = [
        Case(
            model: "plugin: model.convnet, channels: [8, 16], strides: [1, 2]", data: images, steps: 60, batch: 32,
            minimumAccuracy: 0.6),
        Case(model: "plugin: model.resnet, depth: 8, width: 4", data: images, steps: 60, batch: 32, minimumAccuracy: 0.6),
        Case(
            model: "plugin: model.lkcnn, widths: [8], depths: [1], kernel_size: [7], kernel_width: [3], stem_patch: 2",
            data: images, steps: 60, batch: 32, minimumAccuracy: 0.6),
        Case(model: "plugin: model.gcn, hidden: 16", data: graph, steps: 60, batch: 1000, minimumAccuracy: 0.7),
        Case(model: "plugin: model.sage, hidden: 16", data: graph, steps: 60, batch: 1000, minimumAccuracy: 0.7),
    ]

    static func train(_ model: String, data: String, steps: Int, batch: Int, in dir: TemporaryDirectory) async
        -> (RunReport, RunFolder)
    {
        await RunHarness.run(
            """
            seed: 3
            data: {\(data)}
            model: {\(model)}
            optimizer: {plugin: optim.adam, lr: 0.01}
            train: {method: train.supervised, steps: \(steps), batch: \(batch)}
            eval: {every: \(steps), evaluators: [eval.accuracy]}
            checkpoint: {every: \(steps)}
            """, in: dir)
    }

    @Test(arguments: cases) func trainsAndBeatsChance(_ c: Case) async throws {
        let dir = TemporaryDirectory()
        let (report, folder) = await Self.train(c.model, data: c.data, steps: c.steps, batch: c.batch, in: dir)
        #expect(report.state == .succeeded, "\(c.model): \(report.message)")
        let accuracy = try #require(RunHarness.finalMetrics(folder)["test.accuracy"], "\(c.model): no test.accuracy")
        #expect(accuracy > c.minimumAccuracy, "\(c.model): test accuracy \(accuracy)")
        let checkpoint = folder.url.appendingPathComponent(String(format: "checkpoints/step-%06d.safetensors", c.steps))
        #expect(FileManager.default.fileExists(atPath: checkpoint.path))
    }

    /// On the weak-feature graph the edges carry the class: the GCN must clearly beat an MLP on the same node
    /// features, or it is not using the graph.
    @Test func gcnUsesTheEdgesThatAnMLPCannotSee() async throws {
        let dir = TemporaryDirectory()
        let (gcn, gcnFolder) = await Self.train("plugin: model.gcn, hidden: 16", data: Self.graph, steps: 60, batch: 1000, in: dir)
        let mlpDir = TemporaryDirectory()
        let (mlp, mlpFolder) = await Self.train("plugin: model.mlp, hidden: [16]", data: Self.graph, steps: 60, batch: 1000, in: mlpDir)
        #expect(gcn.state == .succeeded && mlp.state == .succeeded, "\(gcn.message) / \(mlp.message)")
        let gcnAccuracy = try #require(RunHarness.finalMetrics(gcnFolder)["test.accuracy"])
        let mlpAccuracy = try #require(RunHarness.finalMetrics(mlpFolder)["test.accuracy"])
        #expect(gcnAccuracy > mlpAccuracy + 0.15, "GCN \(gcnAccuracy) vs MLP \(mlpAccuracy)")
    }
}

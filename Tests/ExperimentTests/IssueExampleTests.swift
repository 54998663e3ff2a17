import Foundation
import PluginAPI
import Spec
import TensorEngine
import Testing

@testable import Experiment

/// The example spec of the original issue, against the real built-in plugins: it once validated only against
/// the spec tests' stand-ins, while `data.spirals` had no `train` or `test` key.
@Suite(.serialized) struct IssueExampleTests {
    static let spec = """
        name: spirals-mlp
        seed: 7
        data:  {dataset: data.spirals, classes: 3, train: 3000, test: 1000}
        model: {plugin: model.mlp, hidden: [128, 128]}
        optimizer: {plugin: optim.adamw, lr: 3e-3, schedule: {kind: cosine, warmup: 100}}
        train: {method: train.supervised, steps: 2000, batch: 128}
        eval:  {every: 200, evaluators: [eval.accuracy]}
        checkpoint: {every: 500, keep: 3}
        """

    static let loader = SpecLoader(registry: RunHarness.catalog.registry)

    /// The problems the loader finds in `yaml`, as `key.path: message` without the file's position.
    static func problems(_ yaml: String, in dir: TemporaryDirectory) -> [String] {
        let file = dir.write("spec.yaml", text: yaml)
        return loader.validate(contentsOf: file).map { "\($0.keyPath): \($0.message)" }
    }

    @Test func theIssueExampleIsValidAgainstTheBuiltinPlugins() {
        let dir = TemporaryDirectory()
        #expect(Self.problems(Self.spec, in: dir) == [])
    }

    /// Half the steps (under a second): three arms need a few hundred steps past the warm-up (200 steps: 57 %).
    @Test func theIssueExampleRunsAndLearnsTheSpirals() async throws {
        let dir = TemporaryDirectory()
        let (report, folder) = await RunHarness.run(
            Self.spec.replacingOccurrences(of: "steps: 2000", with: "steps: 1000"), name: "spirals-mlp", in: dir)
        #expect(report.state == .succeeded && report.exitCode == 0, "\(report.message)")
        let accuracy = try #require(RunHarness.finalMetrics(folder)["test.accuracy"])
        #expect(accuracy > 0.9, "test accuracy \(accuracy)")
        // 3000 and 1000 examples in all, as the spec says.
        let loaded = try #require(RunHarness.lines(folder, "run.log").first { $0.contains("data loaded") })
        #expect(loaded.contains("train=3000") && loaded.contains("test=1000"), "\(loaded)")
    }

    @Test func totalsSplitEvenlyWithTheRemainderToTheFirstClasses() throws {
        #expect(ClassImbalance.evenCounts(classes: 3, total: 1000) == [334, 333, 333])
        #expect(ClassImbalance.evenCounts(classes: 3, total: 3000) == [1000, 1000, 1000])
        let use = try Self.loader.load(
            yaml: """
                data: {dataset: data.blobs, classes: 4, train: 10, test: 7}
                model: {plugin: model.mlp}
                optimizer: {plugin: optim.sgd}
                train: {method: train.supervised, steps: 1}
                """, file: URL(fileURLWithPath: "/tmp/blobs.yaml")
        ).runs[0].data
        var rng = RandomGenerator(seed: 3)
        let made = try RunHarness.catalog.dataset(use.id).makeDataset(erased: use.config, using: &rng)
        let data = try #require(made.labeled)
        func counts(_ labels: Tensor) -> [Int] { (0..<4).map { c in labels.scalars.filter { Int($0) == c }.count } }
        #expect(counts(data.train.labels) == [3, 3, 2, 2])
        #expect(counts(data.test.labels) == [2, 2, 2, 1])
    }

    @Test func aTotalAndAPerClassCountForOneSplitAreRefused() {
        let dir = TemporaryDirectory()
        let body = """
            model: {plugin: model.mlp}
            optimizer: {plugin: optim.sgd}
            train: {method: train.supervised, steps: 1}
            """
        #expect(
            Self.problems(
                "data: {dataset: data.spirals, train: 300, points_per_class: 100, test: 90, "
                    + "test_points_per_class: 30}\n" + body, in: dir)
                == [
                    "data.train: set either train or points_per_class, not both",
                    "data.test: set either test or test_points_per_class, not both",
                ])
        #expect(
            Self.problems("data: {dataset: data.blobs, classes: 3, train: 2, test_per_class: 5}\n" + body, in: dir)
                == ["data.train: must give each of the 3 classes at least one example"])
        #expect(
            Self.problems("data: {dataset: data.blobs, train: 300, imbalance_ratio: 0.5}\n" + body, in: dir)
                == [
                    "data.train: splits evenly over the classes; for a long tail (imbalance_ratio 0.5) set "
                        + "train_per_class instead"
                ])
    }
}

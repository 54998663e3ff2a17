import Experiment
import Foundation
import PluginAPI
import Testing

@testable import Robustness

/// Tiny specs through the real run driver: eigen-reg training, then CERTIFY with its files beside the run.
@Suite struct RobustnessRunTests {
    static let spec = """
        name: tiny-certify
        seed: 4
        data: {dataset: data.images, classes: 3, channels: 1, height: 4, width: 4, train_per_class: 40, \
        test_per_class: 6, imbalance_ratio: 0.25, difficulty: 0.2}
        model: {plugin: model.mlp, hidden: [16]}
        optimizer: {plugin: optim.sgd, lr: 0.1, momentum: 0.9}
        train: {method: train.eigen-reg, sigma: 0.25, steps: 30, batch: 16}
        eval:
          every: 0
          evaluators:
            - eval.accuracy
            - {plugin: eval.certify, n0: 20, n: 200, batch: 100, radii: [0, 0.25]}
            - {plugin: eval.predict, n: 100}
        resources: {threads: 1}
        """

    /// Runs `spec` in a fresh temporary folder and returns the run folder.
    func run(_ spec: String) throws -> (RunReport, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("robustness-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("tiny.yaml")
        try Data(spec.utf8).write(to: file)
        let catalog = try PluginCatalog(BuiltinPlugins.all + RobustnessPlugins.all)
        let options = RunOptions(threads: 1, kilnVersion: "test", echoLog: false)
        let runner = ExperimentRunner(catalog: catalog, options: options)
        return (runner.run(specAt: file), RunFolder(beside: file).url)
    }

    @Test func certificationFilesLandBesideTheRunAndRepeatForTheSameSeed() throws {
        let (report, folder) = try run(Self.spec)
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        #expect(report.exitCode == KilnExitCode.success, "\(report.message)")
        let eval = folder.appendingPathComponent("eval")
        let csv = try String(contentsOf: eval.appendingPathComponent("eval.certify.examples.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 1 + 18)
        let svg = try String(contentsOf: eval.appendingPathComponent("eval.certify.radius.svg"), encoding: .utf8)
        #expect(svg.hasPrefix("<svg"))
        let metrics = RunResult.finalMetrics(in: folder.appendingPathComponent("result.json")) ?? [:]
        #expect(metrics["test.certified_accuracy_r0"] != nil)
        #expect(metrics["test.worst_class_certified_accuracy_r0_25"] != nil)
        #expect(metrics["test.abstain_rate"] != nil && metrics["train.lambda_max"] != nil)

        let (_, again) = try run(Self.spec)
        defer { try? FileManager.default.removeItem(at: again.deletingLastPathComponent()) }
        let csv2 = try String(
            contentsOf: again.appendingPathComponent("eval/eval.certify.examples.csv"), encoding: .utf8)
        #expect(csv2 == csv)
    }
}

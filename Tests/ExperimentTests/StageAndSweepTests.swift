import Experiment
import Foundation
import PluginAPI
import TensorEngine
import TensorNN
import Testing

/// Stage chains and sweeps, run in process.
@Suite(.serialized) struct StageAndSweepTests {
    static let chain = """
        name: chain
        seed: 4
        data: {dataset: data.blobs, classes: 3, dims: 6, train_per_class: 100, test_per_class: 40}
        model: {plugin: model.mlp, hidden: [32]}
        optimizer: {plugin: optim.adam, lr: 0.01}
        stages:
          - {plugin: train.supervised, name: train, steps: 60, batch: 32}
          - {plugin: stage.prune-magnitude, name: prune, sparsity: 0.7}
          - plugin: train.supervised
            name: finetune
            steps: 40
            batch: 32
            optimizer: {plugin: optim.sgd, lr: 0.05}
          - {plugin: eval.accuracy, name: final}
        eval: {every: 20, evaluators: [eval.accuracy]}
        checkpoint: {every: 20}
        """

    @Test func aStageChainHandsTheModelOnAndKeepsPrunedWeightsAtZero() async throws {
        let dir = TemporaryDirectory()
        let (report, folder) = await RunHarness.run(Self.chain, name: "chain", in: dir)
        #expect(report.state == .succeeded, "\(report.message)")
        for stage in ["train", "prune", "finetune", "final"] {
            #expect(
                FileManager.default.fileExists(
                    atPath: folder.stage(stage).url.appendingPathComponent("stage.json").path))
        }
        // Fine-tuning kept the pruned weights at zero: the final model is still 70 % sparse.
        let final = try SafeTensors.read(from: folder.stage("final").url.appendingPathComponent("model.safetensors"))
            .tensors
        let weights = ["layers.0.weight", "layers.2.weight"].compactMap { final[$0] }
        let zeros = weights.reduce(0) { $0 + $1.scalars.filter { $0 == 0 }.count }
        let total = weights.reduce(0) { $0 + $1.count }
        #expect(Double(zeros) / Double(total) >= 0.69)
        let metrics = RunHarness.finalMetrics(folder)
        #expect((metrics["prune.sparsity"] ?? 0) > 0.69, "\(metrics.keys.sorted())")
        #expect(metrics["final.test.accuracy"] != nil && metrics["finetune.test.accuracy"] != nil)
        #expect(metrics["test.accuracy"] == metrics["final.test.accuracy"], "the last stage's metrics are the run's")
        // The run's own metrics log spans the chain on one step axis: 60 + 40 steps.
        let steps = RunHarness.lines(folder, "metrics.jsonl").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["step"] as? Int
        }
        #expect(steps.max() == 100 && steps.contains(60))
        #expect(try RunHarness.status(folder).step == 100)
    }

    @Test func twoPruningStagesInARowMergeTheirMasks() async throws {
        let dir = TemporaryDirectory()
        let (report, folder) = await RunHarness.run(
            """
            seed: 4
            data: {dataset: data.blobs, classes: 3, dims: 6, train_per_class: 100, test_per_class: 40}
            model: {plugin: model.mlp, hidden: [32]}
            optimizer: {plugin: optim.adam, lr: 0.01}
            stages:
              - {plugin: train.supervised, name: train, steps: 40, batch: 32}
              - {plugin: stage.prune-magnitude, name: light, sparsity: 0.3}
              - {plugin: stage.prune-magnitude, name: heavy, sparsity: 0.6}
              - {plugin: train.supervised, name: finetune, steps: 30, batch: 32}
            eval: {every: 10, evaluators: [eval.accuracy]}
            """, name: "twice", in: dir)
        #expect(report.state == .succeeded, "\(report.message)")
        func tensors(_ stage: String, _ file: String) throws -> [String: Tensor] {
            try SafeTensors.read(from: folder.stage(stage).url.appendingPathComponent(file)).tensors
        }
        let names = ["layers.0.weight", "layers.2.weight"]
        func zeros(_ t: [String: Tensor]) -> [[Bool]] { names.map { t[$0]?.scalars.map { $0 == 0 } ?? [] } }
        func sparsity(_ z: [[Bool]]) -> Double {
            Double(z.joined().filter { $0 }.count) / Double(z.joined().count)
        }
        let light = zeros(try tensors("light", "model.safetensors"))
        let heavyMask = try tensors("heavy", "masks.safetensors")
        let final = zeros(try tensors("finetune", "model.safetensors"))
        #expect(abs(sparsity(light) - 0.3) < 0.01, "after the first stage: \(sparsity(light))")
        // The second stage's masks keep every weight the first zeroed, and fine-tuning keeps them at zero.
        for (i, name) in names.enumerated() {
            let mask = try #require(heavyMask[name]).scalars
            #expect(
                zip(light[i], mask).allSatisfy { !$0 || $1 == 0 }, "\(name): a weight the first stage pruned is back")
            #expect(zip(light[i], final[i]).allSatisfy { !$0 || $1 }, "\(name): fine-tuning revived a pruned weight")
        }
        #expect(abs(sparsity(final) - 0.6) < 0.01, "final sparsity \(sparsity(final))")
        let metrics = RunHarness.finalMetrics(folder)
        #expect(abs((metrics["light.sparsity"] ?? 0) - 0.3) < 0.01, "\(metrics)")
        #expect(abs((metrics["heavy.sparsity"] ?? 0) - 0.6) < 0.01, "\(metrics)")
    }

    /// `stage.unmask`: masks every weight matrix with ones, as a stage that meant to let pruned weights regrow would.
    struct UnmaskPlugin: StagePlugin {
        struct Config: PluginConfig { static let documentation: [String: FieldDoc] = [:] }
        static let descriptor = PluginDescriptor(
            id: "stage.unmask", kind: .stage, version: "1.0.0", summary: "All-ones masks", config: Config.self)
        static func apply(_ config: Config, to model: any Layer, context: inout StageContext) throws -> StageOutcome {
            let weights = model.namedParameters().filter { $0.parameter.shape.count >= 2 }
            return StageOutcome(
                masks: Dictionary(uniqueKeysWithValues: weights.map { ($0.name, Tensor.ones($0.parameter.shape)) }))
        }
    }

    @Test func aLaterStagesMaskCannotReviveWeightsAnEarlierOnePruned() async throws {
        let dir = TemporaryDirectory()
        let (report, folder) = await RunHarness.run(
            """
            seed: 4
            data: {dataset: data.blobs, classes: 3, dims: 6, train_per_class: 100, test_per_class: 40}
            model: {plugin: model.mlp, hidden: [32]}
            optimizer: {plugin: optim.adam, lr: 0.01}
            stages:
              - {plugin: train.supervised, name: train, steps: 40, batch: 32}
              - {plugin: stage.prune-magnitude, name: prune, sparsity: 0.5}
              - {plugin: stage.unmask, name: unmask}
              - {plugin: train.supervised, name: finetune, steps: 30, batch: 32}
            """, name: "unmask", in: dir, catalog: try PluginCatalog(BuiltinPlugins.all + [UnmaskPlugin.self]))
        #expect(report.state == .succeeded, "\(report.message)")
        let final = try SafeTensors.read(from: folder.stage("finetune").url.appendingPathComponent("model.safetensors"))
            .tensors
        let weights = ["layers.0.weight", "layers.2.weight"].compactMap { final[$0] }
        let zeros = weights.reduce(0) { $0 + $1.scalars.filter { $0 == 0 }.count }
        #expect(Double(zeros) / Double(weights.reduce(0) { $0 + $1.count }) >= 0.49, "fine-tuning revived weights")
    }

    @Test func aStoppedChainResumesWhereItStopped() async throws {
        let dir = TemporaryDirectory()
        let stop = StopSignal()
        stop.request(reason: "test")
        // Stopped before the first step: nothing trained, state interrupted.
        let (first, folder) = await RunHarness.run(Self.chain, name: "resumed", in: dir, stop: stop)
        #expect(first.state == .interrupted && first.exitCode == 0)
        let (second, _) = await RunHarness.run(Self.chain, name: "resumed", in: dir)
        #expect(second.state == .succeeded)
        // A fresh run of the same chain gives the same final model, bit for bit.
        let (_, reference) = await RunHarness.run(Self.chain, name: "reference", in: dir)
        let a = try SafeTensors.read(from: folder.stage("final").url.appendingPathComponent("model.safetensors"))
            .tensors
        let b = try SafeTensors.read(from: reference.stage("final").url.appendingPathComponent("model.safetensors"))
            .tensors
        #expect(a.mapValues(\.scalars) == b.mapValues(\.scalars))
    }

    @Test func aSweepOfFourPointsRunsEachChildAndSummarises() async throws {
        let dir = TemporaryDirectory()
        let (report, folder) = await RunHarness.run(
            """
            name: sweep
            seed: 9
            data: {dataset: data.spirals, points_per_class: 60, test_points_per_class: 30}
            model: {plugin: model.mlp, hidden: [16]}
            optimizer: {plugin: optim.adam, lr: 0.001}
            train: {method: train.supervised, steps: 40, batch: 16}
            eval: {evaluators: [eval.accuracy]}
            sweep:
              optimizer.lr: [0.001, 0.01]
              train.batch: [16, 32]
            """, name: "sweep", in: dir)
        #expect(report.state == .succeeded, "\(report.message)")
        let children = try FileManager.default.contentsOfDirectory(
            atPath: dir.url.appendingPathComponent("sweep.sweep").path
        )
        .filter { !$0.hasPrefix("summary") && $0 != "plots" }.sorted()
        #expect(children.count == 4, "\(children)")
        // One comparison chart per metric, a line per child, labelled with the child.
        let plots = dir.url.appendingPathComponent("sweep.sweep/plots")
        let charts = try FileManager.default.contentsOfDirectory(atPath: plots.path)
        #expect(["loss.svg", "train.grad_norm.svg", "test.accuracy.svg"].allSatisfy(charts.contains), "\(charts)")
        let loss = try String(contentsOf: plots.appendingPathComponent("loss.svg"), encoding: .utf8)
        #expect(loss.components(separatedBy: "<polyline").count - 1 == 4)
        #expect(children.allSatisfy { loss.contains(">\($0)</text>") })
        for child in children {
            let childFolder = RunFolder(url: dir.url.appendingPathComponent("sweep.sweep/\(child)"))
            #expect(try RunHarness.status(childFolder).state == .succeeded)
            #expect(RunHarness.finalMetrics(childFolder)["test.accuracy"] != nil)
        }
        let csv = try String(contentsOf: dir.url.appendingPathComponent("sweep.sweep/summary.csv"), encoding: .utf8)
        let rows = csv.split(separator: "\n")
        #expect(rows.count == 5 && rows[0].hasPrefix("run,state,lr,batch,") && rows[0].contains("test.accuracy"))
        #expect(
            rows[0].components(separatedBy: ",").filter { $0 == "lr" }.count == 1,
            "the learning rate metric is train.lr")
        #expect(rows.dropFirst().allSatisfy { $0.contains(",succeeded,") }, "\(rows)")
        let markdown = try String(contentsOf: dir.url.appendingPathComponent("sweep.sweep/summary.md"), encoding: .utf8)
        #expect(markdown.contains("| run | state | lr | batch |"))
        let status = try RunHarness.status(folder)
        #expect(status.state == .succeeded && status.step == 4 && status.totalSteps == 4)
        // Running it again finds every child finished.
        let (again, _) = await RunHarness.run(
            try String(contentsOf: dir.url.appendingPathComponent("sweep.yaml"), encoding: .utf8), name: "sweep",
            in: dir)
        #expect(again.state == .succeeded)
        #expect(RunHarness.lines(folder, "run.log").filter { $0.contains("already finished") }.count == 4)
    }

    /// Rows of a sweep's `summary.csv` as cells (the labels hold commas, so they are quoted).
    private static func summaryRows(_ dir: TemporaryDirectory, _ sweep: String) throws -> [[String]] {
        let csv = try String(contentsOf: dir.url.appendingPathComponent("\(sweep)/summary.csv"), encoding: .utf8)
        return csv.split(separator: "\n").map { line in
            var cells: [String] = []
            var cell = ""
            var quoted = false
            for c in line {
                if c == "\"" {
                    quoted.toggle()
                } else if c == "," && !quoted {
                    cells.append(cell)
                    cell = ""
                } else {
                    cell.append(c)
                }
            }
            return cells + [cell]
        }
    }

    @Test func aSweepWithRandomAxesDrawsEachChildAndSummarises() async throws {
        let dir = TemporaryDirectory()
        // `name:` differs from the file name: the folders follow the file, as `random.run` does.
        let (report, folder) = await RunHarness.run(
            """
            name: tuned
            seed: 5
            data: {dataset: data.spirals, points_per_class: 40, test_points_per_class: 20}
            model: {plugin: model.mlp, hidden: [8]}
            optimizer: {plugin: optim.adam, lr: 0.01}
            train: {method: train.supervised, steps: 20, batch: 16}
            eval: {evaluators: [eval.accuracy]}
            sweep:
              optimizer.weight_decay: {uniform: [0, 1]}
              train.batch: {uniform: [8, 16]}
              samples: 2
            """, name: "random", in: dir)
        #expect(report.state == .succeeded, "\(report.message)")
        #expect(!FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("tuned.sweep").path))
        let rows = try Self.summaryRows(dir, "random.sweep")
        #expect(Array(rows[0].prefix(4)) == ["run", "state", "weight_decay", "batch"], "\(rows[0])")
        #expect(rows.count == 3)
        for row in rows.dropFirst() {
            // weight_decay is a number key: drawn as a number although both bounds are whole.
            let decay = try #require(Double(row[2]))
            #expect(decay > 0 && decay < 1, "\(row)")
            let batch = try #require(Int(row[3]), "batch is an integer key: \(row)")
            #expect((8...16).contains(batch))
            #expect(row[1] == "succeeded")
            let child = RunFolder(url: dir.url.appendingPathComponent("random.sweep/\(row[0])"))
            #expect(try RunHarness.status(child).state == .succeeded)
            #expect(RunHarness.finalMetrics(child)["test.accuracy"] != nil)
            let resolved = try String(contentsOf: child.resolvedSpec, encoding: .utf8)
            #expect(resolved.contains("weight_decay: \(row[2])") && resolved.contains("batch: \(batch)"), "\(resolved)")
        }
        let status = try RunHarness.status(folder)
        #expect(status.state == .succeeded && status.step == 2 && status.totalSteps == 2)
    }

    @Test func aFailedChildShowsItsStateAndFailureInTheSummary() async throws {
        let dir = TemporaryDirectory()
        // A learning rate of 1e30 overflows the logits on the second step.
        let (report, _) = await RunHarness.run(
            """
            data: {dataset: data.blobs, train_per_class: 30, test_per_class: 10}
            model: {plugin: model.mlp, hidden: [8]}
            optimizer: {plugin: optim.sgd, lr: 0.01}
            train: {method: train.supervised, steps: 10, batch: 16}
            sweep:
              optimizer.lr: [0.01, 1e30]
            """, name: "mixed", in: dir)
        #expect(report.state == .failed && report.failure == .nonFiniteLoss)
        let rows = try Self.summaryRows(dir, "mixed.sweep")
        #expect(
            rows.map { Array($0.prefix(3)) } == [
                ["run", "state", "lr"], ["000-lr=0.01", "succeeded", "0.01"],
                ["001-lr=1e+30", "failed:non_finite_loss", "1e+30"],
            ])
        let markdown = try String(
            contentsOf: dir.url.appendingPathComponent("mixed.sweep/summary.md"), encoding: .utf8)
        #expect(markdown.contains("| 001-lr=1e+30 | failed:non_finite_loss | 1e+30 |"), "\(markdown)")
    }

    /// An evaluator that asks the run to stop, so a sweep is interrupted inside its first child.
    struct StopRequestingEvaluator: EvaluatorPlugin {
        struct Config: PluginConfig {
            static let documentation: [String: FieldDoc] = [:]
        }
        static let descriptor = PluginDescriptor(
            id: "eval.request-stop", kind: .evaluator, version: "1.0.0", summary: "Requests a stop",
            config: Config.self)
        static let signal = StopSignal()

        static func evaluate(_ c: Config, model: any Layer, split: DataSplit, task: TaskInfo) throws -> Evaluation {
            signal.request(reason: "test")
            return Evaluation(metrics: [:])
        }
    }

    @Test func anInterruptedSweepCountsOnlyFinishedChildren() async throws {
        let dir = TemporaryDirectory()
        let catalog = try PluginCatalog(BuiltinPlugins.all + [StopRequestingEvaluator.self])
        let (report, folder) = await RunHarness.run(
            """
            data: {dataset: data.blobs, train_per_class: 30, test_per_class: 10}
            model: {plugin: model.mlp, hidden: [8]}
            optimizer: {plugin: optim.sgd, lr: 0.01}
            train: {method: train.supervised, steps: 40, batch: 16}
            eval: {every: 5, evaluators: [eval.request-stop]}
            sweep:
              optimizer.lr: [0.01, 0.02]
            """, name: "stopped", in: dir, stop: StopRequestingEvaluator.signal, catalog: catalog)
        #expect(report.state == .interrupted, "\(report.message)")
        let first = RunFolder(url: dir.url.appendingPathComponent("stopped.sweep/000-lr=0.01"))
        #expect(try RunHarness.status(first).state == .interrupted)
        let status = try RunHarness.status(folder)
        #expect(status.state == .interrupted && status.step == 0 && status.progress == 0 && status.totalSteps == 2)
        #expect(try Self.summaryRows(dir, "stopped.sweep").map { $0[1] } == ["state", "interrupted", "not started"])
    }
}

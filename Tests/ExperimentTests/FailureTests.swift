import Experiment
import Foundation
import PluginAPI
import Testing

/// Runs that cannot finish end `failed` with the right class, step and message.
@Suite(.serialized) struct FailureTests {
    @Test func nonFiniteLossFailsNamingTheStepAndTheTensor() throws {
        let dir = TemporaryDirectory()
        // A learning rate of 1e30 makes the weights ~1e30 after the first update; the second step's logits overflow.
        let (report, folder) = RunHarness.run(
            """
            data: {dataset: data.blobs, train_per_class: 50, test_per_class: 10}
            model: {plugin: model.mlp, hidden: [8]}
            optimizer: {plugin: optim.sgd, lr: 1e30}
            train: {method: train.supervised, steps: 50, batch: 16}
            checkpoint: {every: 10}
            """, in: dir)
        #expect(
            report.state == .failed && report.failure == .nonFiniteLoss && report.exitCode == KilnExitCode.runFailed)
        let status = try RunHarness.status(folder)
        #expect(status.state == .failed && status.failure == .nonFiniteLoss)
        let message = try #require(status.message)
        #expect(
            message
                == "non-finite loss at step 2: logits is not finite (shape [16, 3]: 0 NaN and 48 infinite of 48 elements)"
        )
        #expect(
            RunHarness.lines(folder, "run.log").contains {
                $0.contains("run failed") && $0.contains("failure=non_finite_loss")
            })
    }

    @Test func aParameterThatOverflowsIsNamed() throws {
        let dir = TemporaryDirectory()
        // Adam moves each weight by about lr per step: 1e39 takes the weights themselves to ±inf (and NaN).
        let (report, folder) = RunHarness.run(
            """
            data: {dataset: data.blobs, train_per_class: 50, test_per_class: 10}
            model: {plugin: model.mlp, hidden: [8]}
            optimizer: {plugin: optim.adam, lr: 1e39}
            train: {method: train.supervised, steps: 50, batch: 16}
            """, name: "overflow", in: dir)
        #expect(report.failure == .nonFiniteLoss)
        let message = try #require(try RunHarness.status(folder).message)
        #expect(message.hasPrefix("non-finite loss at step 2: parameter layers."), "\(message)")
    }

    @Test func pluginErrorsAndBadStartCheckpointsAreClassified() throws {
        let dir = TemporaryDirectory()
        // A data file that is there at validation but not a CSV of numbers: the plugin fails when it loads.
        dir.write("bad.csv", text: "a,b\nx,y\n1,2,3\n")
        let (report, folder) = RunHarness.run(
            """
            data: {dataset: data.csv, file: bad.csv}
            model: {plugin: model.mlp}
            optimizer: {plugin: optim.sgd}
            train: {method: train.supervised, steps: 5}
            """, name: "plugin-error", in: dir)
        #expect(report.failure == .pluginError && report.exitCode == KilnExitCode.runFailed)
        #expect(try RunHarness.status(folder).message?.hasPrefix("plugin data.csv: ") == true)

        dir.write("not-a-checkpoint.safetensors", text: "nonsense")
        let (start, _) = RunHarness.run(
            """
            start_from: not-a-checkpoint.safetensors
            data: {dataset: data.blobs}
            model: {plugin: model.mlp}
            optimizer: {plugin: optim.sgd}
            train: {method: train.supervised, steps: 5}
            """, name: "bad-start", in: dir)
        #expect(start.failure == .invalidSpec && start.exitCode == KilnExitCode.invalidSpec)
        #expect(start.message.hasPrefix("start_from: "), "\(start.message)")
    }

    @Test func anInvalidSpecIsRecordedWithoutRunning() throws {
        let dir = TemporaryDirectory()
        let (report, folder) = RunHarness.run(
            """
            data: {dataset: data.blobs, classes: 1}
            model: {plugin: model.mlp}
            optimizer: {plugin: optim.sgd, lr: 0}
            train: {method: train.supervised, steps: 5}
            """, name: "invalid", in: dir)
        #expect(report.exitCode == KilnExitCode.invalidSpec && report.failure == .invalidSpec)
        let status = try RunHarness.status(folder)
        #expect(status.state == .failed && status.failure == .invalidSpec)
        let validation = RunHarness.lines(folder, "validation.txt")
        #expect(
            validation.count == 2
                && validation.allSatisfy {
                    $0.hasPrefix(dir.url.appendingPathComponent("invalid.yaml").path) || $0.contains("invalid.yaml:")
                })
        #expect(!FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("checkpoints").path))
    }

    @Test func aWallClockLimitCheckpointsAndFailsAsKilled() throws {
        let dir = TemporaryDirectory()
        // 0.0001 minutes is 6 ms: the limit passes within the first steps.
        let (report, folder) = RunHarness.run(
            """
            data: {dataset: data.blobs, train_per_class: 500}
            model: {plugin: model.mlp, hidden: [64, 64]}
            optimizer: {plugin: optim.sgd}
            train: {method: train.supervised, steps: 100000}
            resources: {max_minutes: 0.0001}
            """, name: "walltime", in: dir)
        #expect(report.failure == .killed && report.exitCode == KilnExitCode.runFailed, "\(report.message)")
        let status = try RunHarness.status(folder)
        let step = try #require(status.step)
        #expect(
            report.message == "stopped at step \(step): the wall-clock limit resources.max_minutes = 0.0001 was reached"
        )
        #expect(
            FileManager.default.fileExists(
                atPath: folder.url.appendingPathComponent(String(format: "checkpoints/step-%06d.safetensors", step))
                    .path))
    }

    @Test func aMemoryLimitFailsAsOutOfMemory() throws {
        let dir = TemporaryDirectory()
        let (report, _) = RunHarness.run(
            """
            data: {dataset: data.blobs}
            model: {plugin: model.mlp}
            optimizer: {plugin: optim.sgd}
            train: {method: train.supervised, steps: 5}
            resources: {memory_mb: 1}
            """, name: "memory", in: dir)
        #expect(
            report.failure == .outOfMemory && report.message.hasPrefix("out of memory at step 1:"), "\(report.message)")
    }
}

import Foundation
import PluginAPI
import Testing

@testable import Experiment

/// Who may use a run folder, and starting from another run's checkpoint.
@Suite(.serialized) struct RunFolderTests {
    static let spec = """
        seed: 2
        data: {dataset: data.blobs, classes: 3, train_per_class: 60, test_per_class: 30}
        model: {plugin: model.mlp, hidden: [16]}
        optimizer: {plugin: optim.adam, lr: 0.01}
        train: {method: train.supervised, steps: 40, batch: 16}
        eval: {evaluators: [eval.accuracy]}
        checkpoint: {every: 10}
        """

    @Test func aBusyFolderIsNotTouched() async throws {
        let dir = TemporaryDirectory()
        let folder = RunFolder(beside: dir.url.appendingPathComponent("busy.yaml"))
        let lock = try FolderLock(folder)
        let (report, _) = await RunHarness.run(Self.spec, name: "busy", in: dir)
        #expect(
            report.exitCode == KilnExitCode.cannotStart
                && report.message.hasPrefix("another kiln process is working on"))
        #expect(!FileManager.default.fileExists(atPath: folder.status.path))
        withExtendedLifetime(lock) {}
    }

    @Test func aLockHeldByTheDaemonIsUsedNotTakenAgain() async throws {
        let dir = TemporaryDirectory()
        let spec = dir.write("daemon.yaml", text: Self.spec)
        let folder = RunFolder(beside: spec)
        try FileManager.default.createDirectory(at: folder.url, withIntermediateDirectories: true)
        // What the daemon does before starting `kiln run` with KILN_LOCK_FD.
        let fd = open(folder.url.appendingPathComponent("lock").path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        defer { close(fd) }
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        var options = RunHarness.options
        options.inheritedLock = fd
        let (report, _) = await RunHarness.run(Self.spec, name: "daemon", in: dir, options: options)
        #expect(report.state == .succeeded, "\(report.message)")
        // Without it, the same folder is busy.
        options.inheritedLock = nil
        options.restart = true
        let (busy, _) = await RunHarness.run(Self.spec, name: "daemon", in: dir, options: options)
        #expect(busy.exitCode == KilnExitCode.cannotStart)
    }

    @Test func checkpointsOfOtherSettingsAreNotResumed() async throws {
        let dir = TemporaryDirectory()
        let stop = StopSignal()
        stop.request(reason: "test")
        let (first, _) = await RunHarness.run(Self.spec, name: "changed", in: dir, stop: stop)
        #expect(first.state == .interrupted)
        let (second, folder) = await RunHarness.run(
            Self.spec.replacingOccurrences(of: "lr: 0.01", with: "lr: 0.02"), name: "changed", in: dir)
        #expect(
            second.exitCode == KilnExitCode.cannotStart && second.message.contains("--restart"), "\(second.message)")
        var options = RunHarness.options
        options.restart = true
        let (third, _) = await RunHarness.run(
            Self.spec.replacingOccurrences(of: "lr: 0.01", with: "lr: 0.02"), name: "changed", in: dir, options: options
        )
        #expect(third.state == .succeeded, "\(third.message)")
        #expect(try RunHarness.status(folder).state == .succeeded)
        // Comments and key order are not settings: the same experiment written differently resumes.
        let (fourth, _) = await RunHarness.run("# a comment\n" + Self.spec, name: "reordered", in: dir, stop: stop)
        #expect(fourth.state == .interrupted)
        let (fifth, _) = await RunHarness.run(Self.spec + "# another comment\n", name: "reordered", in: dir)
        #expect(fifth.state == .succeeded, "\(fifth.message)")
    }

    @Test func startFromLoadsAnotherRunsCheckpoint() async throws {
        let dir = TemporaryDirectory()
        let (trained, trainedFolder) = await RunHarness.run(Self.spec, name: "trained", in: dir)
        #expect(trained.state == .succeeded)
        // Evaluating the checkpoint `latest` names gives the trained run's final accuracy exactly.
        let (evaluated, folder) = await RunHarness.run(
            """
            start_from: trained.run/checkpoints/latest
            data: {dataset: data.blobs, classes: 3, train_per_class: 60, test_per_class: 30}
            model: {plugin: model.mlp, hidden: [16]}
            stages: [eval.accuracy]
            seed: 2
            """, name: "evaluated", in: dir)
        #expect(evaluated.state == .succeeded, "\(evaluated.message)")
        let expected = try #require(RunHarness.finalMetrics(trainedFolder)["test.accuracy"])
        #expect(RunHarness.finalMetrics(folder)["test.accuracy"] == expected)
        #expect(
            RunHarness.lines(folder, "run.log").contains {
                $0.contains("model loaded from start_from") && $0.contains("step=40")
            })
        // A start_from whose shapes do not fit the model is an invalid spec.
        let (mismatch, _) = await RunHarness.run(
            """
            start_from: trained.run/checkpoints/latest
            data: {dataset: data.blobs, classes: 3}
            model: {plugin: model.mlp, hidden: [17]}
            stages: [eval.accuracy]
            """, name: "mismatch", in: dir)
        #expect(
            mismatch.failure == .invalidSpec && mismatch.message.contains("does not fit model model.mlp"),
            "\(mismatch.message)")
    }
}

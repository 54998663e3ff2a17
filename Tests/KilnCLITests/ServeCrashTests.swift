import Foundation
import TensorNN
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `kiln serve` with real `kiln run` children, killed with `kill -9` at bad moments: every crashed run resumes
/// from its last complete checkpoint and ends with the parameters of a run that was never interrupted.
///
/// Each test first runs the spec uninterrupted under the same daemon settings (the reference), then crashes a
/// second copy of it and compares the final checkpoints bit for bit (`ResumeTests.expectSameFinalState`).
@Suite(.serialized) struct ServeCrashTests {
    /// 2000 steps of a small MLP: long enough to be caught in the middle, a few seconds in a release build.
    static let longSpec = """
        seed: 33
        data: {dataset: data.images, classes: 6, channels: 3, height: 16, width: 16,
               train_per_class: 120, test_per_class: 20, difficulty: 0.5}
        model: {plugin: model.mlp, hidden: [64]}
        optimizer: {plugin: optim.adamw, lr: 0.002, schedule: {kind: cosine, warmup: 20}}
        train: {method: train.supervised, steps: 2000, batch: 32}
        eval: {every: 1000, evaluators: [eval.accuracy]}
        checkpoint: {every: 25, keep: 2}
        resources: {threads: 2}
        """

    /// 1.8 M parameters: with Adam's two moments a checkpoint is 22 MB, so writing and syncing it takes long
    /// enough for a kill to land in the middle.
    static let bigSpec = """
        seed: 8
        data: {dataset: data.images, classes: 6, channels: 3, height: 16, width: 16,
               train_per_class: 40, test_per_class: 10, difficulty: 0.5}
        model: {plugin: model.mlp, hidden: [1024, 1024]}
        optimizer: {plugin: optim.adamw, lr: 0.0005}
        train: {method: train.supervised, steps: 600, batch: 24}
        eval: {every: 300, evaluators: [eval.accuracy]}
        checkpoint: {every: 100, keep: 3}
        resources: {threads: 2}
        """

    @Test func aCrashOfTheDaemonAndItsRunResumesToTheUninterruptedParameters() async throws {
        let h = try ServeHarness()
        try await h.start()
        try h.drop("reference", Self.longSpec)
        #expect(try await h.waitForEnd("reference") == 0, "\(h.runLog("reference"))")

        try h.drop("crashed", Self.longSpec)
        let reached = await h.waitForStep(Int.random(in: 200...1200), of: "crashed")
        let child = try #require(h.childPID("crashed"))
        try #require(h.isKilnRun(child), "no live kiln run at step \(reached):\n\(h.runLog("crashed"))")
        // What a crash under systemd (KillMode=mixed) or a power cut does: the daemon dies, and its run with it.
        await h.killDaemon(orphaning: child) { kill(-child, SIGKILL) }
        #expect(await eventually(timeout: 60) { !h.lockHeld("crashed") })
        // The status's step comes from a heartbeat (every 2 s), so it may lag or be missing this early.
        let killedAt = h.status("crashed")?["step"] as? Int ?? 0
        #expect(h.state("crashed") == "running" && killedAt < 2000, "the kill came too late: \(killedAt)")
        // After a reboot the recorded pid may belong to an unrelated live process and the heartbeat is old;
        // neither may keep the run from resuming (the lock, which died with the run, is what counts).
        try h.rewriteStatus("crashed") {
            $0["pid"] = Int(getpid())
            $0["heartbeat_at"] = "2020-01-01T00:00:00Z"
        }

        try await h.start()
        #expect(try await h.waitForEnd("crashed") == 0, "\(h.runLog("crashed"))\n\(h.daemonLog())")
        print("daemon and run killed at step ≥ \(reached) (status said \(killedAt)); resumed and finished")
        #expect(h.status("crashed")?["attempt"] as? Int == 2)
        #expect(h.runLog("crashed").contains("resuming from checkpoint"), "\(h.runLog("crashed"))")
        try ResumeTests.expectSameFinalState(h.run("reference"), h.run("crashed"), step: 2000)
        #expect(await h.stopDaemon() == 0)
    }

    @Test func aRunKilledWhileWritingACheckpointResumesFromThePreviousOne() async throws {
        let h = try ServeHarness()
        try await h.start()
        try h.drop("reference", Self.bigSpec)
        #expect(try await h.waitForEnd("reference") == 0, "\(h.runLog("reference"))")

        try h.drop("victim", Self.bigSpec)
        let checkpoints = h.run("victim").appendingPathComponent("checkpoints")
        let latest = checkpoints.appendingPathComponent("latest")
        // A kill can miss (the write finished first on an idle disk); then resume and try at a later checkpoint.
        var landed: (temporary: String, survivor: String, step: Int)?
        var previousChild: Int32?
        for attempt in 1...4 where landed == nil {
            let child = try #require(
                await h.waitForChild("victim", other: previousChild), "no run of attempt \(attempt):\n\(h.daemonLog())")
            previousChild = child
            try #require(await eventually(timeout: 300) { FileManager.default.fileExists(atPath: latest.path) })
            // The daemon goes first, so the run dies with nobody watching it (what a crashed service leaves).
            var armed: CheckpointWriteTrap?
            await h.killDaemon(orphaning: child) {
                armed = try? CheckpointWriteTrap(directory: checkpoints, killing: child)
            }
            let trap = try #require(armed)
            let fired = await eventually(timeout: 300) { trap.fired != nil || !h.lockHeld("victim") }
            trap.disarm()
            try #require(fired && trap.fired != nil, "the run ended before writing another checkpoint")
            #expect(await eventually(timeout: 60) { !h.lockHeld("victim") })
            let survivor = try String(contentsOf: latest, encoding: .utf8).trimmingCharacters(in: .newlines)
            let leftovers = trap.leftoverTemporaryFiles()
            print("attempt \(attempt): killed on \(trap.fired!); left behind \(leftovers); latest is \(survivor)")
            if let temporary = trap.fired, leftovers.contains(temporary) {
                // Read now: once the run goes on, retention deletes older checkpoints.
                let step = try Checkpoint.read(from: checkpoints.appendingPathComponent(survivor)).step
                landed = (temporary, survivor, step)
            }
            try await h.start()
        }
        let (temporary, survivor, step) = try #require(landed, "no kill landed inside a checkpoint write in 4 tries")

        // The interrupted write left only its temporary file; `latest` still named the complete checkpoint before
        // it, which read back whole, and the resumed run started from it.
        #expect(temporary.hasPrefix(".step-") && temporary > "." + survivor, "\(temporary) vs \(survivor)")
        #expect(try await h.waitForEnd("victim") == 0, "\(h.runLog("victim"))\n\(h.daemonLog())")
        let resumes = h.runLog("victim").split(separator: "\n").filter { $0.contains("resuming from checkpoint") }
        let fields = resumes.last?.split(separator: " ").map(String.init) ?? []
        let fromSurvivor = fields.contains { $0.hasPrefix("file=") && $0.hasSuffix(survivor) }
        #expect(
            fields.contains("step=\(step)") && fromSurvivor, "the resume did not start from \(survivor): \(resumes)")
        // The next save cleared the interrupted write's leftovers.
        let names = try FileManager.default.contentsOfDirectory(atPath: checkpoints.path)
        #expect(!names.contains(where: CheckpointWriteTrap.isCheckpointTemporary), "\(names)")
        try ResumeTests.expectSameFinalState(h.run("reference"), h.run("victim"), step: 600)
        #expect(await h.stopDaemon() == 0)
    }

    /// The daemon restarts while its crashed predecessor's run is still alive: the run is left to that orphan
    /// (nothing runs twice), and when the orphan dies too, with `running` and a stale heartbeat in its status,
    /// the daemon notices at once (not at the next rescan, 300 s away here) and resumes it.
    @Test func aRunLeftToAnOrphanIsResumedWhenTheOrphanDies() async throws {
        let h = try ServeHarness(rescanSeconds: 300)
        try await h.start()
        try h.drop("reference", Self.longSpec)
        #expect(try await h.waitForEnd("reference") == 0, "\(h.runLog("reference"))")

        try h.drop("orphaned", Self.longSpec)
        let reached = await h.waitForStep(Int.random(in: 100...1000), of: "orphaned")
        let child = try #require(h.childPID("orphaned"))
        try #require(h.isKilnRun(child), "no live kiln run at step \(reached):\n\(h.runLog("orphaned"))")
        // Frozen once orphaned, it keeps its lock but cannot finish while the new daemon starts up beside it.
        // (Not before: a process group orphaned with a stopped member is sent SIGHUP by the kernel.)
        await h.killDaemon(orphaning: child) { kill(-child, SIGSTOP) }
        try await h.start()
        #expect(h.daemonLog().contains("runs.elsewhere=1"), "\(h.daemonLog())")
        // Still the orphan's: the new daemon started nothing beside it.
        #expect(h.status("orphaned")?["attempt"] as? Int == 1)
        #expect(h.state("orphaned") == "running" && h.lockHeld("orphaned"))

        kill(-child, SIGKILL)
        #expect(try await h.waitForEnd("orphaned", timeout: 250) == 0, "\(h.runLog("orphaned"))\n\(h.daemonLog())")
        #expect(h.status("orphaned")?["attempt"] as? Int == 2)
        try ResumeTests.expectSameFinalState(h.run("reference"), h.run("orphaned"), step: 2000)
        #expect(await h.stopDaemon() == 0)
    }
}

import Foundation
import Glibc
import PluginAPI
import Testing

@testable import DaemonCore

@Suite struct JobLedgerTests {
    static func identity(_ text: String) -> SpecIdentity { SpecIdentity(contents: Data(text.utf8)) }

    /// Creates `NAME.yaml` (unless `spec` is nil) and `NAME.run/status.json` with `state`.
    @discardableResult
    static func seed(
        _ drop: URL, _ name: String, state: RunStatus.State, spec: String? = "model: x\n", attempt: Int? = nil
    ) throws -> RunFolder {
        let specURL = drop.appendingPathComponent(name + ".yaml")
        if let spec { try writeFile(specURL, spec) }
        let folder = RunFolder(spec: specURL, dropDirectory: drop)
        try folder.create()
        let started: Date? = state == .queued ? nil : Date()
        try folder.writeStatus(
            RunStatus(
                state: state, specHash: identity(spec ?? "gone").contentHash, step: 5, startedAt: started, pid: 999_999,
                attempt: attempt))
        return folder
    }

    @Test func rebuildsFromRunFoldersAlone() async throws {
        let root = try TempDirectory("ledger")
        defer { root.remove() }
        let drop = root.url
        let sub = try root.directory("team")
        try Self.seed(drop, "done", state: .succeeded)
        try Self.seed(drop, "broken", state: .rejected)
        let crashed = try Self.seed(drop, "crashed", state: .running, attempt: 1)
        try Self.seed(drop, "paused", state: .interrupted, attempt: 2)
        try Self.seed(drop, "waiting", state: .queued)
        try Self.seed(sub, "nested", state: .queued)
        try Self.seed(drop, "orphan", state: .running, spec: nil)
        // A symlinked folder could lead anywhere: its runs are not the drop directory's.
        let elsewhere = try root.directory("../\(root.url.lastPathComponent)-outside")
        defer { try? FileManager.default.removeItem(at: elsewhere) }
        try Self.seed(elsewhere, "foreign", state: .queued)
        symlink(elsewhere.path, drop.appendingPathComponent("linked").path)
        // An archived earlier run is history, not a run to rebuild.
        try FileManager.default.createDirectory(
            at: drop.appendingPathComponent("done.run.1"), withIntermediateDirectories: false)

        let ledger = JobLedger(settings: DaemonConfig(dropDirectory: drop.path))
        let report = await ledger.rebuild(dropDirectory: drop)
        #expect(report.finished.sorted() == ["broken", "done"])
        #expect(report.requeued.sorted() == ["crashed", "paused", "team/nested", "waiting"])
        #expect(report.cancelled == ["orphan"])
        #expect(report.elsewhere.isEmpty)

        // The crashed run is no longer shown as running, and it resumes as its second attempt.
        let rewritten = try #require(crashed.readStatus())
        #expect(rewritten.state == .queued && rewritten.pid == nil && rewritten.step == 5)
        #expect(await ledger.entry(named: "crashed")?.job?.attempt == 2)
        #expect(await ledger.entry(named: "paused")?.job?.attempt == 3)
        #expect(await ledger.entry(named: "waiting")?.job?.attempt == 1)
        #expect(
            RunFolder(spec: drop.appendingPathComponent("orphan.yaml"), dropDirectory: drop).readStatus()?.state
                == .cancelled)
        let summary = await ledger.summary()
        #expect(summary.queued == 4 && summary.succeeded == 1 && summary.rejected == 1 && summary.cancelled == 1)
    }

    @Test func runHeldByAnotherProcessIsLeftAlone() async throws {
        let root = try TempDirectory("ledger")
        defer { root.remove() }
        let folder = try Self.seed(root.url, "busy", state: .running)
        let lock = try #require(try RunLock.tryAcquire(runDirectory: folder.directory))
        let out = root.path("out").path
        let holder = try ChildProcess.spawn(
            arguments: ["/bin/sh", "-c", "exec sleep 30"], environment: [:], stdout: out, stderr: out,
            inheritedLock: lock.fileDescriptor)
        lock.release()  // only the child holds it now
        defer {
            holder.signalGroup(SIGKILL)
            _ = holder.reap()
        }
        let ledger = JobLedger(settings: DaemonConfig(dropDirectory: root.url.path))
        let report = await ledger.rebuild(dropDirectory: root.url)
        #expect(report.elsewhere == ["busy"])
        #expect(await ledger.entry(named: "busy")?.phase == .elsewhere)
        #expect(folder.readStatus()?.state == .running)  // not ours to rewrite
    }

    @Test func queueRunsHighPriorityFirstThenInArrivalOrder() async throws {
        let drop = URL(fileURLWithPath: "/tmp/drop")
        var settings = DaemonConfig(dropDirectory: drop.path)
        settings.concurrency = 2
        let ledger = JobLedger(settings: settings)
        func job(_ name: String, _ priority: Int) -> JobLedger.Job {
            .init(
                folder: RunFolder(spec: drop.appendingPathComponent(name + ".yaml"), dropDirectory: drop),
                identity: Self.identity(name), priority: priority)
        }
        await ledger.enqueue(job("a", 0))
        await ledger.enqueue(job("b", 5))
        await ledger.enqueue(job("c", 0))
        await ledger.enqueue(job("d", 5))
        #expect(await ledger.queueOrder() == ["b", "d", "a", "c"])
        #expect(await ledger.dequeue()?.folder.name == "b")
        #expect(await ledger.dequeue()?.folder.name == "d")
        #expect(await ledger.dequeue() == nil)  // concurrency 2 reached
        await ledger.finish(named: "b", state: .succeeded)
        #expect(await ledger.dequeue()?.folder.name == "a")
    }

    @Test func touchIsKnownEditWithdrawsQueuedAndWaitsForRunning() async throws {
        let drop = URL(fileURLWithPath: "/tmp/drop")
        let ledger = JobLedger(settings: DaemonConfig(dropDirectory: drop.path))
        let folder = RunFolder(spec: drop.appendingPathComponent("exp.yaml"), dropDirectory: drop)
        let v1 = Self.identity("v1")
        let v2 = Self.identity("v2")
        #expect(await ledger.check(folder, identity: v1) == .evaluate)
        await ledger.enqueue(.init(folder: folder, identity: v1))
        #expect(await ledger.check(folder, identity: v1) == .known)
        #expect(await ledger.check(folder, identity: v2) == .evaluate)
        #expect(await ledger.entry(named: "exp") == nil)  // withdrawn for re-validation

        await ledger.enqueue(.init(folder: folder, identity: v2))
        _ = await ledger.dequeue()
        #expect(await ledger.check(folder, identity: v2) == .known)
        #expect(await ledger.check(folder, identity: v1) == .afterCurrentRun)
        await ledger.finish(named: "exp", state: .succeeded)
        #expect(await ledger.check(folder, identity: v2) == .known)
        #expect(await ledger.check(folder, identity: v1) == .evaluate)
    }

    @Test func stopRequestsReachQueuedStartingAndRunningRuns() async throws {
        let drop = URL(fileURLWithPath: "/tmp/drop")
        var settings = DaemonConfig(dropDirectory: drop.path)
        settings.concurrency = 4
        let ledger = JobLedger(settings: settings)
        func folder(_ name: String) -> RunFolder {
            RunFolder(spec: drop.appendingPathComponent(name + ".yaml"), dropDirectory: drop)
        }
        for name in ["q", "s", "r"] { await ledger.enqueue(.init(folder: folder(name), identity: Self.identity(name))) }
        _ = await ledger.dequeue()  // q... order is arrival: q first
        _ = await ledger.dequeue()  // s
        // q and s are starting; r is queued.
        #expect(
            await ledger.requestStop(named: "r", reason: .cancel("test"))
                == .dequeued(.init(folder: folder("r"), identity: Self.identity("r"))))
        #expect(await ledger.entry(named: "r")?.phase == .finished(.cancelled))
        #expect(await ledger.requestStop(named: "s", reason: .cancel("test")) == .signalled)
        // A stop asked for while starting is delivered once the child is running.
        let (stops, stopper) = AsyncStream.makeStream(of: JobLedger.StopReason.self)
        await ledger.markRunning(named: "s", pid: 1, stopper: stopper)
        var iterator = stops.makeAsyncIterator()
        #expect(await iterator.next() == .cancel("test"))
        #expect(await ledger.requestStop(named: "nothing", reason: .shutdown) == .notActive)
        await ledger.stopAll(reason: .shutdown)
        #expect(await ledger.stopReason(named: "q") == .shutdown)
        #expect(await ledger.stopReason(named: "s") == .cancel("test"))  // the first reason wins
        #expect(await ledger.dequeue() == nil)
    }
}

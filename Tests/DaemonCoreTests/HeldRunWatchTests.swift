import Foundation
import Glibc
import Testing

@testable import DaemonCore

@Suite struct HeldRunWatchTests {
    /// A run locked by a process we did not start (an orphaned `kiln run`, here a child holding the lock on
    /// fd 3): the watch says nothing while it lives, and offers the spec again as soon as it is killed.
    @Test func offersTheSpecAgainWhenTheHolderIsKilled() async throws {
        let dir = try TempDirectory("held")
        defer { dir.remove() }
        let drop = try dir.directory("drop")
        let folder = RunFolder(spec: drop.appendingPathComponent("exp.yaml"), dropDirectory: drop)
        let lock = try #require(try RunLock.tryAcquire(runDirectory: folder.directory))
        let ready = dir.path("ready")
        let holder = try ChildProcess.spawn(
            arguments: ["/bin/sh", "-c", "echo up > \(ready.path); exec sleep 600"], environment: [:],
            stdout: dir.path("out").path, stderr: dir.path("out").path, inheritedLock: lock.fileDescriptor)
        _ = try await RunControlWait.file(ready)
        lock.release()

        let (events, sink) = AsyncStream.makeStream(of: DropEvent.self)
        let recorder = Recorder<DropEvent>()
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await recorder.feed(from: events) }
            defer { sink.finish() }
            let watch = HeldRunWatch(events: sink)
            watch.watch(folder)
            watch.watch(folder)  // found held again (a rescan): still one wait
            #expect(watch.watchedLocks.count == 1)
            // The holder is still alive, so the watch cannot have fired (checked after a real round trip
            // through the lock: another process's view agrees it is held).
            #expect(RunLock.isHeld(runDirectory: folder.directory))
            #expect(await recorder.items.isEmpty)

            holder.signalGroup(SIGKILL)
            await holder.waitUntilExited()
            _ = holder.reap()
            #expect(await recorder.wait(timeout: .seconds(30)) { $0 == [.specReady(folder.spec)] })
            // The thread forgets the lock before it yields the event.
            #expect(watch.watchedLocks.isEmpty)
            // Released: whoever the intake is can take the lock now.
            let after = try #require(try await RunLock.acquire(runDirectory: folder.directory))
            after.release()
        }
    }

    @Test func aRunWithoutALockFileIsOfferedAtOnce() async throws {
        let dir = try TempDirectory("held")
        defer { dir.remove() }
        let drop = try dir.directory("drop")
        let folder = RunFolder(spec: drop.appendingPathComponent("gone.yaml"), dropDirectory: drop)
        let (events, sink) = AsyncStream.makeStream(of: DropEvent.self)
        HeldRunWatch(events: sink).watch(folder)
        sink.finish()
        var seen: [DropEvent] = []
        for await event in events { seen.append(event) }
        #expect(seen == [.specReady(folder.spec)])
    }
}

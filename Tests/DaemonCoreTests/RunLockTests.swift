import Foundation
import Glibc
import Testing

@testable import DaemonCore

@Suite struct RunLockTests {
    static let flockTool = "/usr/bin/flock"

    // Other tests spawn children all the time, and a child between fork and exec briefly holds copies of
    // all our descriptors, locks included. So "free again" is checked with `acquire`, which retries
    // over such an instant, never with a single `tryAcquire` or `isHeld`.

    @Test func secondAttemptFailsUntilReleased() async throws {
        let dir = try TempDirectory("lock")
        defer { dir.remove() }
        let run = dir.path("exp.run")
        let first = try #require(try RunLock.tryAcquire(runDirectory: run))
        // A second open file description conflicts even inside one process.
        #expect(try RunLock.tryAcquire(runDirectory: run) == nil)
        #expect(RunLock.isHeld(runDirectory: run))
        first.release()
        first.release()  // idempotent
        let second = try #require(try await RunLock.acquire(runDirectory: run))
        second.release()
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: flockTool)))
    func excludesOtherProcessesBothWays() async throws {
        let dir = try TempDirectory("lock")
        defer { dir.remove() }
        let run = dir.path("exp.run")
        let lockPath = run.appendingPathComponent("lock").path
        let out = dir.path("out").path

        // We hold it: another process cannot take it (flock -n exits 1).
        let held = try #require(try RunLock.tryAcquire(runDirectory: run))
        let probe = try ChildProcess.spawn(
            arguments: [Self.flockTool, "-n", lockPath, "true"], environment: [:], stdout: out, stderr: out,
            inheritedLock: nil)
        await probe.waitUntilExited()
        #expect(probe.reap() == .exited(1))
        held.release()

        // Another process holds it: we cannot, until it exits.
        let holder = try ChildProcess.spawn(
            arguments: [
                Self.flockTool, lockPath, "/bin/sh", "-c", "echo locked > \(dir.path("ready").path); exec sleep 30",
            ],
            environment: [:], stdout: out, stderr: out, inheritedLock: nil)
        _ = try await RunControlWait.file(dir.path("ready"))
        #expect(try RunLock.tryAcquire(runDirectory: run) == nil)
        holder.signalGroup(SIGKILL)
        await holder.waitUntilExited()
        _ = holder.reap()
        let after = try #require(try await RunLock.acquire(runDirectory: run))
        after.release()
    }

    @Test func childInheritsTheLockOnFd3() async throws {
        let dir = try TempDirectory("lock")
        defer { dir.remove() }
        let run = dir.path("exp.run")
        let lock = try #require(try RunLock.tryAcquire(runDirectory: run))
        let out = dir.path("out").path
        // The child keeps fd 3 open after we release ours: the run stays locked while it lives.
        let child = try ChildProcess.spawn(
            arguments: ["/bin/sh", "-c", "echo up > \(dir.path("ready").path); exec sleep 30"], environment: [:],
            stdout: out, stderr: out, inheritedLock: lock.fileDescriptor)
        _ = try await RunControlWait.file(dir.path("ready"))
        lock.release()
        #expect(RunLock.isHeld(runDirectory: run))
        child.signalGroup(SIGKILL)
        await child.waitUntilExited()
        _ = child.reap()
        let after = try #require(try await RunLock.acquire(runDirectory: run))
        after.release()
    }
}

/// Waits for a file to appear: inotify on its directory, on a thread of its own so no task of the
/// cooperative pool blocks.
enum RunControlWait {
    static func file(_ url: URL, timeout: Duration = .seconds(10)) async throws -> Bool {
        let inotify = try Inotify()
        let parent = url.deletingLastPathComponent()
        // The parent (a run folder) may not exist yet: watch its parent too, and add the parent's
        // watch again after each wake-up until it works.
        _ = try inotify.addWatch(parent.deletingLastPathComponent().path, mask: UInt32(IN_CREATE | IN_MOVED_TO))
        let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE)
        let deadline = ContinuousClock.now + timeout
        return await withCheckedContinuation { done in
            Thread {
                while true {
                    _ = try? inotify.addWatch(parent.path, mask: mask)
                    if FileManager.default.fileExists(atPath: url.path) { return done.resume(returning: true) }
                    let left = ContinuousClock.now.duration(to: deadline)
                    guard left > .zero else { return done.resume(returning: false) }
                    let ms = left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1
                    _ = try? inotify.wait(timeoutMilliseconds: Int32(clamping: ms))
                }
            }.start()
        }
    }
}

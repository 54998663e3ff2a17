public import Foundation
import Glibc
public import PluginAPI

/// What `kiln cancel`, `kiln wait` and `kiln tail` need, without talking to the daemon: everything goes
/// through files in the drop directory, so it works the same with one daemon, two, or none yet.
public enum RunControl {
    /// The run folder for a name as a user types it: `NAME`, `NAME.yaml`, `NAME.run`, `SUB/NAME`, or a
    /// path to the spec (absolute or relative to the drop directory).
    public static func folder(named name: String, dropDirectory: URL) -> RunFolder {
        let drop = dropDirectory.standardizedFileURL
        var url = name.hasPrefix("/") ? URL(fileURLWithPath: name) : drop.appendingPathComponent(name)
        if ["yaml", "yml", "run", "cancel"].contains(url.pathExtension) { url = url.deletingPathExtension() }
        let yml = url.appendingPathExtension("yml")
        let spec = FileManager.default.fileExists(atPath: yml.path) ? yml : url.appendingPathExtension("yaml")
        return RunFolder(spec: spec, dropDirectory: drop)
    }

    /// `kiln cancel NAME`: drops `NAME.cancel` beside the spec. The daemon stops the run (SIGTERM, then
    /// SIGKILL after the grace period), records `cancelled`, and deletes the request.
    @discardableResult
    public static func requestCancel(name: String, dropDirectory: URL) throws -> URL {
        let target = folder(named: name, dropDirectory: dropDirectory).cancelRequest
        try AtomicFile.write(Data("cancel requested by pid \(getpid())\n".utf8), to: target)
        return target
    }

    /// `kiln tail NAME`: the log the run writes (`run.log` in its folder).
    public static func logFile(name: String, dropDirectory: URL) -> URL {
        folder(named: name, dropDirectory: dropDirectory).directory.appendingPathComponent("run.log")
    }

    /// `kiln wait NAME`: returns the run's status once `until` holds (by default: a final state).
    ///
    /// Follows changes with inotify on the run folder and its parent (the folder may not exist yet),
    /// re-reading `status.json` after each; a 2-second re-check covers the folder being replaced.
    /// - Throws: `DaemonError.timedOut` after `timeout`; `CancellationError` when the task is cancelled.
    public static func waitForStatus(
        name: String, dropDirectory: URL, timeout: Duration? = nil,
        until done: @escaping @Sendable (RunStatus) -> Bool = { $0.state.isFinal }
    ) async throws -> RunStatus {
        let folder = folder(named: name, dropDirectory: dropDirectory)
        let inotify = try Inotify()
        let deadline = timeout.map { ContinuousClock.now + $0 }
        let result: RunStatus? = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (answer: CheckedContinuation<RunStatus?, any Error>) in
                let thread = Thread {
                    do {
                        answer.resume(returning: try follow(folder, inotify: inotify, deadline: deadline, until: done))
                    } catch {
                        answer.resume(throwing: error)
                    }
                }
                thread.name = "kiln-wait"
                thread.start()
            }
        } onCancel: {
            inotify.wake()
        }
        try Task.checkCancellation()
        guard let result else { throw DaemonError.timedOut("run \(folder.name)") }
        return result
    }

    /// The waiting loop, on its own thread. Returns nil on timeout or wake-up.
    private static func follow(
        _ folder: RunFolder, inotify: Inotify, deadline: ContinuousClock.Instant?, until done: (RunStatus) -> Bool
    ) throws -> RunStatus? {
        let parentMask = UInt32(IN_CREATE | IN_MOVED_TO | IN_ONLYDIR)
        let runMask = UInt32(IN_MOVED_TO | IN_CLOSE_WRITE | IN_ONLYDIR)
        _ = try inotify.addWatch(folder.directory.deletingLastPathComponent().path, mask: parentMask)
        while true {
            // Watch first, read second: a change between the two still produces an event.
            _ = try? inotify.addWatch(folder.directory.path, mask: runMask)
            if let status = folder.readStatus(), done(status) { return status }
            var wait: Int32 = 2000
            if let deadline {
                let left = ContinuousClock.now.duration(to: deadline)
                if left <= .zero { return nil }
                wait = min(
                    wait,
                    Int32(
                        clamping: left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000
                            + 1))
            }
            if case .woken = try inotify.wait(timeoutMilliseconds: wait) { return nil }
        }
    }
}

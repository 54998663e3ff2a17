public import Foundation
import Glibc
import PluginAPI

extension JobLedger {
    /// What `rebuild` found.
    public struct RebuildReport: Sendable, Equatable {
        /// Runs put back in the queue: never started, or left `running`/`interrupted` by a crash or a
        /// shutdown (these resume from their checkpoints).
        public var requeued: [String] = []
        /// Runs in a final state.
        public var finished: [String] = []
        /// Runs whose lock another process holds.
        public var elsewhere: [String] = []
        /// Unfinished runs whose spec was deleted while the daemon was down; recorded `cancelled`.
        public var cancelled: [String] = []
    }

    /// Rebuilds the ledger from the run folders alone (`NAME.run/status.json` in the drop directory and
    /// its subfolders). Runs left `queued`, `running` or `interrupted` are requeued; a crashed `running`
    /// status is rewritten as `queued` so `kiln status` does not show a dead run as alive.
    @discardableResult
    public func rebuild(dropDirectory: URL) -> RebuildReport {
        var report = RebuildReport()
        for directory in Self.runDirectories(in: dropDirectory) {
            guard let folder = RunFolder(runDirectory: directory, dropDirectory: dropDirectory),
                let status = folder.readStatus()
            else { continue }
            let identity = status.specHash.isEmpty ? nil : SpecIdentity(contentHash: status.specHash)
            if status.state.isFinal {
                record(folder, identity: identity, phase: .finished(status.state))
                report.finished.append(folder.name)
                continue
            }
            // Unfinished: only the holder of the lock may decide about it.
            guard let lock = try? RunLock.tryAcquire(runDirectory: folder.directory) else {
                record(folder, identity: identity, phase: .elsewhere)
                report.elsewhere.append(folder.name)
                continue
            }
            // Everything below is decided under the lock; the supervisor is not running yet.
            defer { lock.release() }
            var updated = status
            if !FileManager.default.fileExists(atPath: folder.spec.path) {
                updated.state = .cancelled
                updated.endedAt = Date()
                updated.pid = nil
                updated.message = "cancelled: the spec was removed while the daemon was down"
                try? folder.writeStatus(updated)
                record(folder, identity: identity, phase: .finished(.cancelled))
                report.cancelled.append(folder.name)
                continue
            }
            // Resume only what the spec still says: an edited spec is archived and re-admitted by the
            // intake's startup scan, and a spec that now escapes the drop directory is refused there.
            guard let identity,
                let contents = try? SpecFile.read(
                    folder.spec, dropDirectory: dropDirectory, maxBytes: settings.maxSpecBytes),
                SpecIdentity(contents: contents) == identity
            else { continue }
            let started = status.state != .queued || status.startedAt != nil
            if status.state != .queued {
                updated.state = .queued
                updated.pid = nil
                updated.message = "requeued to resume after \(status.state == .running ? "a crash" : "a shutdown")"
                try? folder.writeStatus(updated)
            }
            let attempt = (status.attempt ?? (started ? 1 : 0)) + 1
            enqueue(Job(folder: folder, identity: identity, attempt: attempt))
            report.requeued.append(folder.name)
        }
        return report
    }

    /// `NAME.run` directories directly in the drop directory and in its watched subfolders.
    static func runDirectories(in dropDirectory: URL) -> [URL] {
        func children(_ dir: URL) -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
        }
        // lstat: a symlinked folder could lead out of the drop directory, so it is never followed.
        func isDirectory(_ url: URL) -> Bool {
            var st = stat()
            return lstat(url.path, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR
        }
        var found: [URL] = []
        for name in children(dropDirectory) {
            let url = dropDirectory.appendingPathComponent(name)
            if name.hasSuffix(".run") {
                if isDirectory(url) { found.append(url) }
            } else if SpecFile.isWatchedSubfolder(named: name), isDirectory(url) {
                for inner in children(url) where inner.hasSuffix(".run") {
                    let runURL = url.appendingPathComponent(inner)
                    if isDirectory(runURL) { found.append(runURL) }
                }
            }
        }
        return found
    }
}

public import Foundation
import Glibc
public import PluginAPI

/// `kiln tail`: prints a file of a run folder (`run.log`, `metrics.jsonl`) from its start and follows it
/// as it grows, through everything that can happen to it while the run lives:
///
/// - the run folder does not exist yet (the spec is still queued): waits for it;
/// - the file is replaced (a new attempt after a daemon restart, or the folder archived to `NAME.run.N`
///   when the spec was edited and a fresh `NAME.run/` started): reads the old file to its end, then
///   opens the new one from its start;
/// - the file is truncated: starts again from its beginning.
///
/// Stops once the run's `status.json` shows a final state and the file has been read to its end
/// (unless following forever). Changes are seen through inotify on the run folder and its parent, with a
/// one-second re-check as a safety net; nothing polls faster.
public struct LogFollower: Sendable {
    /// What the follower tells its caller besides the file's bytes.
    public enum Notice: Sendable, Equatable {
        /// The file was opened (the first time, or again after being replaced or truncated).
        case opened(path: String, again: Bool)
        /// The run reached this final state; following ends.
        case finished(RunStatus.State)
    }

    /// The run followed.
    public let folder: RunFolder
    /// The file inside the run folder (`run.log`).
    public let fileName: String
    /// Stop at the run's final state (true) or follow until cancelled (false).
    public let stopAtFinalState: Bool

    /// A follower of `fileName` in the folder of `folder`.
    public init(folder: RunFolder, fileName: String = "run.log", stopAtFinalState: Bool = true) {
        self.folder = folder
        self.fileName = fileName
        self.stopAtFinalState = stopAtFinalState
    }

    /// Follows the file, handing each chunk read to `output` and notices to `notice`, on a thread of its
    /// own. Returns the final status, or nil when cancelled.
    public func follow(
        output: @escaping @Sendable (Data) -> Void, notice: @escaping @Sendable (Notice) -> Void = { _ in }
    ) async throws -> RunStatus? {
        let inotify = try Inotify()
        let follower = self
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (answer: CheckedContinuation<RunStatus?, any Error>) in
                let thread = Thread {
                    do {
                        answer.resume(returning: try follower.loop(inotify: inotify, output: output, notice: notice))
                    } catch {
                        answer.resume(throwing: error)
                    }
                }
                thread.name = "kiln-tail"
                thread.start()
            }
        } onCancel: {
            inotify.wake()
        }
    }

    /// The open file and how far it has been read.
    private struct OpenFile {
        let fd: Int32
        let device: UInt64
        let inode: UInt64
        var offset: Int64 = 0
    }

    private func loop(
        inotify: Inotify, output: (Data) -> Void, notice: (Notice) -> Void
    ) throws -> RunStatus? {
        let path = folder.directory.appendingPathComponent(fileName).path
        let parentMask = UInt32(IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_ONLYDIR)
        let runMask = UInt32(IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE | IN_ONLYDIR)
        _ = try inotify.addWatch(folder.directory.deletingLastPathComponent().path, mask: parentMask)
        var file: OpenFile?
        var opens = 0
        defer { if let file { close(file.fd) } }
        while true {
            // Watch first, look second: a change in between still produces an event.
            _ = try? inotify.addWatch(folder.directory.path, mask: runMask)
            let status = stopAtFinalState ? folder.readStatus() : nil

            // Replaced or gone: finish the old file, then let go of it.
            var st = stat()
            let exists = stat(path, &st) == 0
            if let current = file, !exists || UInt64(st.st_dev) != current.device || UInt64(st.st_ino) != current.inode
            {
                _ = drain(current, output: output)
                close(current.fd)
                file = nil
            }
            if var current = file, exists, Int64(st.st_size) < current.offset {
                // Truncated in place: everything now in it is new.
                current.offset = 0
                file = current
                notice(.opened(path: path, again: true))
            }
            if file == nil, exists {
                let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
                if fd >= 0 {
                    var opened = stat()
                    fstat(fd, &opened)
                    file = OpenFile(fd: fd, device: UInt64(opened.st_dev), inode: UInt64(opened.st_ino))
                    notice(.opened(path: path, again: opens > 0))
                    opens += 1
                }
            }
            if let current = file { file = drain(current, output: output) }

            // The status was read before the drain: whatever the run wrote before its final state is out.
            if let status, status.state.isFinal {
                notice(.finished(status.state))
                return status
            }
            if case .woken = try inotify.wait(timeoutMilliseconds: 1000) { return nil }
        }
    }

    /// Reads from the file's offset to its current end.
    private func drain(_ file: OpenFile, output: (Data) -> Void) -> OpenFile {
        var file = file
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { pread(file.fd, $0.baseAddress, $0.count, off_t(file.offset)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return file }
            output(Data(buffer[0..<n]))
            file.offset += Int64(n)
        }
    }
}

import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Kills a process group the moment a checkpoint write begins in a folder: the instant a `.step-*.tmp` file
/// (the atomic writer's temporary file) is created there, a thread blocked on inotify sends SIGKILL.
///
/// No hook in `kiln run` is needed: the kernel wakes the thread on the file's creation, and the write that
/// follows (megabytes of tensors, then fsync and rename) takes far longer than the thread needs to send the
/// signal. Whether the kill really landed mid-write is checked afterwards, not assumed: the temporary file
/// is still there only if the rename never happened (`leftoverTemporaryFiles`).
final class CheckpointWriteTrap: Sendable {
    let directory: URL
    private let state = Mutex<(stop: Bool, fired: String?)>((false, nil))

    /// Starts watching `directory` (which must exist) and kills process group `group` on the first checkpoint
    /// temporary file created in it.
    init(directory: URL, killing group: Int32) throws {
        self.directory = directory
        let fd = inotify_init1(Int32(IN_CLOEXEC))
        guard fd >= 0 else { throw TrapError(description: "inotify_init1: errno \(errno)") }
        guard inotify_add_watch(fd, directory.path, UInt32(IN_CREATE)) >= 0 else {
            close(fd)
            throw TrapError(description: "inotify_add_watch \(directory.path): errno \(errno)")
        }
        let thread = Thread { [self] in
            defer { close(fd) }
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while !state.withLock({ $0.stop }) {
                var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&pfd, 1, 50) > 0 else { continue }
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                guard n > 0 else { continue }
                for name in Self.names(in: buffer, count: n) where Self.isCheckpointTemporary(name) {
                    kill(-group, SIGKILL)
                    state.withLock { $0 = (true, name) }
                    return
                }
            }
        }
        thread.name = "checkpoint-write-trap"
        thread.start()
    }

    deinit { state.withLock { $0.stop = true } }

    /// The temporary file whose creation triggered the kill, or nil while none has.
    var fired: String? { state.withLock { $0.fired } }

    /// Stops watching without killing anything.
    func disarm() { state.withLock { $0.stop = true } }

    /// `.step-000020.safetensors.<pid>-<random>.tmp`.
    static func isCheckpointTemporary(_ name: String) -> Bool { name.hasPrefix(".step-") && name.hasSuffix(".tmp") }

    /// Checkpoint temporary files in `directory` now: one is left only by a write that never reached its rename.
    func leftoverTemporaryFiles() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter(Self.isCheckpointTemporary)
    }

    /// The file names in a buffer of `inotify_event` records.
    private static func names(in buffer: [UInt8], count: Int) -> [String] {
        var names: [String] = []
        var offset = 0
        let header = MemoryLayout<inotify_event>.size
        while offset + header <= count {
            let length = buffer.withUnsafeBytes { Int($0.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self)) }
            let bytes = buffer[(offset + header)..<min(count, offset + header + length)].prefix { $0 != 0 }
            names.append(String(decoding: bytes, as: UTF8.self))
            offset += header + length
        }
        return names
    }
}

struct TrapError: Error, CustomStringConvertible {
    var description: String
}

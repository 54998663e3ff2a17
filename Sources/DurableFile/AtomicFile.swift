public import Foundation
import Glibc

/// Writes whole files so that a reader sees either the old content or the new one, never a torn mix,
/// and so that the new content survives a power loss once `write` returns.
///
/// Steps: create a temporary file in the same directory (same filesystem, so `rename` is atomic),
/// write everything, `fsync` the file, `rename` it over the target, then `fsync` the directory so the
/// rename itself is durable. Used for every `status.json`, result and checkpoint file.
///
/// The temporary name starts with `.` and ends with `.tmp`, so the drop-directory watcher ignores it.
public enum AtomicFile {
    /// Replaces the file at `url` with `data`, atomically and (by default) durably.
    ///
    /// - Parameters:
    ///   - data: the complete new content.
    ///   - url: the target file; its directory must exist.
    ///   - permissions: mode of a newly created file (before the umask).
    ///   - durable: `fsync` the file and its directory. Pass false for files that can be recreated after a
    ///     crash (the rename is still atomic; only a power loss may lose the new version).
    /// - Throws: `AtomicFileError` naming the failed step and the OS error.
    public static func write(
        _ data: Data, to url: URL, permissions: UInt32 = 0o644, durable: Bool = true
    ) throws(AtomicFileError) {
        try write(to: url, permissions: permissions, durable: durable) { (w: borrowing Writer) throws(AtomicFileError) in
            // withUnsafeBytes rethrows untyped errors, so the typed one is carried out by hand.
            var failure: AtomicFileError?
            data.withUnsafeBytes { raw in
                do throws(AtomicFileError) { try w.write(raw) } catch { failure = error }
            }
            if let failure { throw failure }
        }
    }

    /// An open temporary file being written; `write(to:…)` hands one to its body.
    public struct Writer: ~Copyable {
        let fd: Int32
        let path: String

        /// Writes all the bytes, retrying short writes and EINTR.
        public func write(_ bytes: UnsafeRawBufferPointer) throws(AtomicFileError) {
            guard let base = bytes.baseAddress else { return }
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(fd, base + offset, Swift.min(bytes.count - offset, 1 << 30))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw AtomicFileError(step: .write, path: path, errno: errno)
                }
                offset += n
            }
        }

        /// Writes all the bytes of an array.
        public func write(_ bytes: [UInt8]) throws(AtomicFileError) {
            var failure: AtomicFileError?
            bytes.withUnsafeBytes { raw in
                do throws(AtomicFileError) { try write(raw) } catch { failure = error }
            }
            if let failure { throw failure }
        }
    }

    /// Creates or replaces `url` with the bytes `body` writes, atomically and (by default) durably. Large files
    /// (checkpoints) stream through this without first being copied into one buffer.
    public static func write(
        to url: URL, permissions: UInt32 = 0o644, durable: Bool = true,
        _ body: (borrowing Writer) throws(AtomicFileError) -> Void
    ) throws(AtomicFileError) {
        let target = url.path
        let directory = url.deletingLastPathComponent().path
        let temporary = directory + "/." + url.lastPathComponent + "." + uniqueSuffix() + ".tmp"

        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(permissions))
        guard fd >= 0 else { throw AtomicFileError(step: .create, path: temporary, errno: errno) }
        var closed = false
        defer {
            if !closed { close(fd) }
        }
        do throws(AtomicFileError) {
            try body(Writer(fd: fd, path: temporary))
            if durable, fsync(fd) != 0 { throw AtomicFileError(step: .sync, path: temporary, errno: errno) }
            closed = true
            guard close(fd) == 0 else { throw AtomicFileError(step: .close, path: temporary, errno: errno) }
            guard rename(temporary, target) == 0 else {
                throw AtomicFileError(step: .rename, path: target, errno: errno)
            }
        } catch {
            unlink(temporary)
            throw error
        }
        if durable { try syncDirectory(directory) }
    }

    /// Whether `name` is a temporary file this type creates (a crashed writer's leftovers can be removed).
    public static func isTemporaryName(_ name: String) -> Bool { name.hasPrefix(".") && name.hasSuffix(".tmp") }

    /// Flushes a directory's entries (a rename or a new file in it) to disk.
    public static func syncDirectory(_ path: String) throws(AtomicFileError) {
        let dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dfd >= 0 else { throw AtomicFileError(step: .syncDirectory, path: path, errno: errno) }
        defer { close(dfd) }
        // Some filesystems (tmpfs on old kernels, some FUSE mounts) refuse fsync on a directory; the
        // rename has happened anyway, so only a real I/O error is worth reporting.
        if fsync(dfd) != 0 && errno == EIO {
            throw AtomicFileError(step: .syncDirectory, path: path, errno: EIO)
        }
    }

    /// Distinct per process and per call, so two writers in one directory never share a temp file.
    private static func uniqueSuffix() -> String {
        "\(getpid())-\(UInt64.random(in: 0...UInt64.max) & 0xffff_ffff)"
    }
}

/// A failed atomic write: which step failed, on which path, and the OS error.
public struct AtomicFileError: Error, CustomStringConvertible, Sendable {
    /// The step of the write protocol that failed.
    public enum Step: String, Sendable {
        case create, write, sync, close, rename
        case syncDirectory = "sync directory"
    }
    /// The failed step.
    public var step: Step
    /// The file or directory the step worked on.
    public var path: String
    /// The `errno` value reported by the OS.
    public var errno: Int32

    /// Creates an error for `step` on `path` with OS error `errno`.
    public init(step: Step, path: String, errno: Int32) {
        self.step = step
        self.path = path
        self.errno = errno
    }

    public var description: String {
        "atomic write failed to \(step.rawValue) \(path): \(String(cString: strerror(errno)))"
    }
}

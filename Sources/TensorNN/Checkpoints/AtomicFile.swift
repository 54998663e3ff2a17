import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes files so that a crash never leaves a partial file under the real name: write a temporary file in the
/// same directory, fsync it, rename it over the target, then fsync the directory so the rename is durable.
enum AtomicFile {
    /// An open temporary file being written.
    struct Writer: ~Copyable {
        let fd: Int32
        let path: String

        /// Writes all `count` bytes, retrying short writes and EINTR.
        func write(_ bytes: UnsafeRawPointer, count: Int) throws(CheckpointError) {
            var done = 0
            while done < count {
                let n = systemWrite(fd, bytes + done, Swift.min(count - done, 1 << 30))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw AtomicFile.failure(path, "write")
                }
                done += n
            }
        }

        func write(_ bytes: [UInt8]) throws(CheckpointError) {
            var failure: CheckpointError? = nil
            bytes.withUnsafeBytes { b in
                do throws(CheckpointError) {
                    if let base = b.baseAddress { try write(base, count: b.count) }
                } catch { failure = error }
            }
            if let failure { throw failure }
        }
    }

    nonisolated(unsafe) private static var counter = 0
    private static let counterLock = NSLock()

    /// Creates `url` atomically with the bytes `body` writes.
    static func write(to url: URL, _ body: (borrowing Writer) throws(CheckpointError) -> Void) throws(CheckpointError) {
        let target = url.path
        let directory = url.deletingLastPathComponent().path
        let serial = counterLock.withLock {
            counter += 1
            return counter
        }
        let temp = directory + "/." + url.lastPathComponent + ".tmp.\(getpid()).\(serial)"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 { throw failure(temp, "open") }
        do throws(CheckpointError) {
            try body(Writer(fd: fd, path: temp))
            if fsync(fd) != 0 { throw failure(temp, "fsync") }
            if close(fd) != 0 {
                let error = failure(temp, "close")
                unlink(temp)
                throw error
            }
        } catch {
            close(fd)
            unlink(temp)
            throw error
        }
        if rename(temp, target) != 0 {
            let error = failure(target, "rename")
            unlink(temp)
            throw error
        }
        try syncDirectory(directory)
    }

    /// fsync on the directory makes a rename in it durable.
    static func syncDirectory(_ path: String) throws(CheckpointError) {
        let dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd < 0 { throw failure(path, "open directory") }
        defer { close(dfd) }
        if fsync(dfd) != 0 && errno != EINVAL { throw failure(path, "fsync directory") }
    }

    static func failure(_ path: String, _ operation: String) -> CheckpointError {
        .io(path: path, operation: operation, message: String(cString: strerror(errno)))
    }
}

/// The C `write`, out of reach of `Writer.write`'s name.
private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int { write(fd, bytes, count) }

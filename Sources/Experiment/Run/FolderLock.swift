import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An exclusive `flock` on a run folder's `lock` file, held while one process works on the run, so two
/// `kiln run`s of one spec never write the same checkpoints. It is the daemon's run lock too: the daemon takes
/// it, starts `kiln run` with the descriptor as fd 3 and `KILN_LOCK_FD=3`, and `kiln run` then uses that one
/// instead of locking again. The kernel drops the lock when the last descriptor closes, however the holder dies.
final class FolderLock {
    /// Our own descriptor; nil when the lock is inherited.
    private let fd: Int32?

    /// Takes the lock of `folder` (created if needed). An `inherited` descriptor that already locks this
    /// folder's `lock` file is used as is. Retries for up to `patience`: a lock is also held for an instant by a
    /// child of another thread between its fork and its exec, while it shares our descriptors.
    init(_ folder: RunFolder, inherited: Int32? = nil, patience: Duration = .milliseconds(500)) throws(RunError) {
        do { try FileManager.default.createDirectory(at: folder.url, withIntermediateDirectories: true) } catch {
            throw .io("cannot create \(folder.url.path): \(error.localizedDescription)")
        }
        if let inherited, Self.refersTo(inherited, folder.lock.path) {
            fd = nil
            return
        }
        let deadline = ContinuousClock.now + patience
        while true {
            let fd = open(folder.lock.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw .io("cannot open \(folder.lock.path): \(String(cString: strerror(errno)))") }
            if flock(fd, LOCK_EX | LOCK_NB) == 0 {
                self.fd = fd
                return
            }
            close(fd)
            guard ContinuousClock.now < deadline else {
                throw .runFolder("another kiln process is working on \(folder.url.path)")
            }
            usleep(20_000)
        }
    }

    deinit { if let fd { close(fd) } }

    /// Whether the open descriptor `fd` is the file at `path` (same device and inode).
    private static func refersTo(_ fd: Int32, _ path: String) -> Bool {
        var held = stat()
        var named = stat()
        return fstat(fd, &held) == 0 && stat(path, &named) == 0 && held.st_ino == named.st_ino
            && held.st_dev == named.st_dev
    }
}

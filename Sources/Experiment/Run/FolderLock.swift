import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An exclusive `flock` on a run folder's `.lock`, held while one process works on the run, so two `kiln run`s
/// of one spec never write the same checkpoints. The kernel drops it when the process dies, however it dies.
final class FolderLock {
    private let fd: Int32

    /// Takes the lock of `folder` (created if needed), or throws at once if another process holds it.
    init(_ folder: RunFolder) throws(RunError) {
        do { try FileManager.default.createDirectory(at: folder.url, withIntermediateDirectories: true) } catch {
            throw .io("cannot create \(folder.url.path): \(error.localizedDescription)")
        }
        fd = open(folder.lock.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io("cannot open \(folder.lock.path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw .runFolder("another kiln process is working on \(folder.url.path)")
        }
    }

    deinit { close(fd) }
}

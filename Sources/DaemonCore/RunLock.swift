public import Foundation
import Glibc
import Synchronization

/// An exclusive `flock(2)` on `NAME.run/lock`: whoever holds it may start, archive or finish the run.
///
/// `flock` locks belong to the open file description, so the lock also excludes a second descriptor
/// in the same process, other daemons on the same directory, and a `kiln run` started by hand that
/// takes the same lock. The kernel drops it when the last descriptor closes, so a crashed holder
/// never leaves a stale lock behind.
///
/// The supervisor passes the descriptor to the child as fd 3 (`KILN_LOCK_FD=3`): the lock then lives
/// exactly as long as the run's process, even if the daemon dies first, and a restarted daemon will not
/// start a second copy beside an orphaned child.
public final class RunLock: Sendable {
    /// The lock file.
    public let path: String
    private let descriptor: Mutex<Int32?>

    private init(path: String, fd: Int32) {
        self.path = path
        self.descriptor = Mutex(fd)
    }

    deinit {
        release()
    }

    /// Takes the lock of the run folder `directory` without waiting, creating the folder and the lock
    /// file when missing. Returns nil when someone else holds it.
    public static func tryAcquire(runDirectory directory: URL) throws(DaemonError) -> RunLock? {
        let dir = directory.path
        if mkdir(dir, 0o755) != 0 && errno != EEXIST { throw .system("mkdir \(dir)", errno: errno) }
        let path = dir + "/" + RunFolder.File.lock
        // The folder may be renamed (archived) between our open and our flock, leaving us holding the
        // lock of `NAME.run.1/lock`. Check that the path still names the inode we locked; retry if not.
        for _ in 0..<8 {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
            guard fd >= 0 else { throw .system("open \(path)", errno: errno) }
            if flock(fd, LOCK_EX | LOCK_NB) != 0 {
                let e = errno
                close(fd)
                if e == EWOULDBLOCK { return nil }
                throw .system("flock \(path)", errno: e)
            }
            var held = stat()
            var named = stat()
            if fstat(fd, &held) == 0, stat(path, &named) == 0, held.st_ino == named.st_ino, held.st_dev == named.st_dev
            {
                return RunLock(path: path, fd: fd)
            }
            close(fd)
        }
        throw .system("lock \(path) (the run folder keeps moving)", errno: EAGAIN)
    }

    /// Takes the lock, retrying briefly before giving up: a lock can be held for an instant by someone
    /// who is only looking (an intake, ours or another daemon's), or by a child of another run between
    /// its fork and its exec, when it still shares our descriptors. Returns nil when it stays held.
    public static func acquire(
        runDirectory directory: URL, patience: Duration = .milliseconds(500)
    ) async throws(DaemonError) -> RunLock? {
        let deadline = ContinuousClock.now + patience
        var pause = Duration.milliseconds(5)
        while true {
            if let lock = try tryAcquire(runDirectory: directory) { return lock }
            guard ContinuousClock.now + pause < deadline else { return nil }
            do { try await Task.sleep(for: pause) } catch { return nil }
            pause = min(pause * 2, .milliseconds(100))
        }
    }

    /// The locked descriptor, for handing to a child; nil after `release()`.
    public var fileDescriptor: Int32? { descriptor.withLock { $0 } }

    /// Drops the lock (closing our descriptor; a child that inherited it keeps the lock). Idempotent.
    public func release() {
        let fd = descriptor.withLock { fd -> Int32? in
            defer { fd = nil }
            return fd
        }
        if let fd { close(fd) }
    }

    /// True when the run folder's lock is held by someone (this process included).
    public static func isHeld(runDirectory directory: URL) -> Bool {
        let fd = open(directory.path + "/" + RunFolder.File.lock, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK
    }
}

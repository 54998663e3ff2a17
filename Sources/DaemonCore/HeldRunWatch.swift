import Foundation
import Glibc
import Synchronization

/// Notices the moment a run held by another process is let go, so the daemon can take it over at once.
///
/// A run is held elsewhere when its lock belongs to a process this daemon did not start: most often the
/// orphaned `kiln run` of a daemon that crashed, still working when the new daemon came up. If that orphan
/// dies too, its `status.json` says `running` forever; the lock, which the kernel drops however a process
/// ends, is the only reliable sign. Waiting for it costs one thread blocked in `flock` per held run, and no
/// CPU: the rescan (minutes apart) would notice too, but only then.
///
/// Once the lock is free the spec is offered to the intake again (`DropEvent.specReady`), which decides
/// under the lock as for any spec: resume an unfinished run, record a finished one.
public final class HeldRunWatch: Sendable {
    private let events: AsyncStream<DropEvent>.Continuation
    private let waiting = Mutex<Set<String>>([])

    /// Offers released runs' specs to `events` (the intake's stream).
    public init(events: AsyncStream<DropEvent>.Continuation) {
        self.events = events
    }

    /// Lock files being waited for.
    public var watchedLocks: Set<String> { waiting.withLock { $0 } }

    /// Starts waiting for the lock of `folder` to be released, unless that is already being waited for.
    public func watch(_ folder: RunFolder) {
        let path = folder.directory.path + "/" + RunFolder.File.lock
        guard waiting.withLock({ $0.insert(path).inserted }) else { return }
        // Our own descriptor (close-on-exec, never handed to a child), so our lock request is separate from
        // the holder's. Opened without O_CREAT: a missing lock file means nobody holds anything.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        let spec = folder.spec
        guard fd >= 0 else {
            waiting.withLock { _ = $0.remove(path) }
            events.yield(.specReady(spec))
            return
        }
        let thread = Thread { [self] in
            // A shared lock is granted once nobody holds the exclusive one; it is dropped at once, so the
            // intake (which takes the lock exclusively) finds it free.
            while flock(fd, LOCK_SH) != 0 && errno == EINTR {}
            flock(fd, LOCK_UN)
            close(fd)
            waiting.withLock { _ = $0.remove(path) }
            events.yield(.specReady(spec))
        }
        thread.name = "kiln-held-run"
        thread.start()
    }
}

import CStopSignals
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A request to stop a run at the next step boundary: set by SIGTERM or SIGINT, read by the training loop.
///
/// The loop checkpoints, marks the run `interrupted` and returns. If it has not done so within the deadline, or
/// a second signal arrives, the watchdog marks the run `interrupted` itself and exits 0: the latest periodic
/// checkpoint is still there to resume from.
public final class StopSignal: Sendable {
    private let count = Atomic<Int>(0)
    private let reason = Mutex<String?>(nil)

    /// A signal that nothing has requested yet.
    public init() {}

    /// True once a stop was requested.
    public var isRequested: Bool { count.load(ordering: .relaxed) > 0 }

    /// Why the stop was requested (`SIGTERM`).
    public var requestReason: String? { reason.withLock { $0 } }

    /// Asks the run to stop; returns how many requests there have been, this one included.
    @discardableResult
    public func request(reason why: String) -> Int {
        reason.withLock { if $0 == nil { $0 = why } }
        return count.add(1, ordering: .relaxed).newValue
    }
}

/// Turns SIGTERM and SIGINT into stop requests, with a deadline after which the process exits on its own.
///
/// A C handler (`CStopSignals`) catches the signal in whichever thread the kernel picks (the engine's worker
/// threads included) and does only async-signal-safe work: it writes the signal number to a pipe. A watcher thread reads
/// the pipe and does the rest as ordinary code: it sets the ``StopSignal``, waits out the deadline or a second
/// signal, and then calls the deadline handler. (Dispatch signal sources are not used: with them, a SIGTERM sent
/// to `kiln run` mid-training was seen to end the process by the default action, as libdispatch on Linux blocks
/// the signal for its signalfd in one thread only.) Install once per process, in `kiln run`; in-process callers
/// (tests) pass their own ``StopSignal`` instead.
public final class SignalTrap: Sendable {
    private final class Handler: Sendable {
        let action = Mutex<(@Sendable () -> Void)?>(nil)
        func fire() { action.withLock { $0 }?() }
    }
    private let handler = Handler()

    /// Routes SIGTERM and SIGINT to `stop`. After the first, `deadline` later (or at once on a second signal)
    /// calls the handler set with ``setDeadlineHandler(_:)``, if any; the handler is expected to exit.
    public init(stop: StopSignal, deadline: Duration) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let readEnd = fds[0]
        let handler = handler
        let (seconds, attoseconds) = deadline.components
        let milliseconds = Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
        // The handler first (it also unblocks the signals), so the watcher thread inherits the unblocked mask.
        _ = kiln_install_stop_handler(fds[1])
        let watcher = Thread {
            var byte: UInt8 = 0
            while true {
                let n = read(readEnd, &byte, 1)
                if n < 0 && errno == EINTR { continue }
                guard n == 1 else { return }
                if stop.request(reason: signalName(Int32(byte))) > 1 {
                    handler.fire()
                    continue
                }
                // Wait for the deadline or a second signal, whichever comes first.
                var entry = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
                var ready: Int32
                repeat { ready = poll(&entry, 1, Swift.max(milliseconds, 1)) } while ready < 0 && errno == EINTR
                if ready > 0, read(readEnd, &byte, 1) == 1 { stop.request(reason: signalName(Int32(byte))) }
                handler.fire()
            }
        }
        watcher.start()
    }

    /// What to do when the deadline passes (or a second signal comes) before the run stopped by itself.
    public func setDeadlineHandler(_ action: (@Sendable () -> Void)?) {
        handler.action.withLock { $0 = action }
    }
}

private func signalName(_ signo: Int32) -> String {
    switch signo {
    case SIGTERM: "SIGTERM"
    case SIGINT: "SIGINT"
    default: "signal \(signo)"
    }
}

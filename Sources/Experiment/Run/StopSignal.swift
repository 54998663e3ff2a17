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
/// The signals are blocked in the thread that installs the trap, so every thread started later (the engine's
/// OpenMP workers) inherits the block and no compute kernel is ever interrupted; they stay pending until a watcher
/// thread reads them from a signalfd (`CStopSignals`). A thread that existed before keeps them unblocked and, if
/// the kernel picks it, runs a C handler that only writes the signal number to a pipe the watcher also reads. The
/// watcher does the rest as ordinary code: it sets the ``StopSignal``, waits out the deadline or a second signal,
/// and calls the deadline handler.
///
/// Why not simpler: with Dispatch signal sources a SIGTERM sent mid-training sometimes ended the process by the
/// default action (libdispatch blocks the signal for its signalfd in one thread only); with a handler in every
/// thread, signals landing in oneDNN's matrix kernels on worker threads sometimes corrupted the heap (about 1 in
/// 15 stops). Install once per process, in `kiln run`, before the engine starts its threads; in-process callers
/// (tests) pass their own ``StopSignal`` instead.
public final class SignalTrap: Sendable {
    /// The deadline action, and whether the deadline passed while none was set: a signal that lands between
    /// `status.json` being written and the run setting its handler must still end the run when it is set.
    private final class Handler: Sendable {
        private struct State {
            var action: (@Sendable () -> Void)?
            var passedUnhandled = false
        }
        private let state = Mutex(State())

        func fire() {
            let action = state.withLock { state -> (@Sendable () -> Void)? in
                if state.action == nil { state.passedUnhandled = true }
                return state.action
            }
            action?()
        }

        func set(_ action: (@Sendable () -> Void)?) {
            let due = state.withLock { state -> (@Sendable () -> Void)? in
                state.action = action
                guard action != nil, state.passedUnhandled else { return nil }
                state.passedUnhandled = false
                return action
            }
            due?()
        }
    }
    private let handler = Handler()

    /// Routes SIGTERM and SIGINT to `stop`. After the first, `deadline` later (or at once on a second signal)
    /// calls the handler set with ``setDeadlineHandler(_:)``, if any; the handler is expected to exit.
    public init(stop: StopSignal, deadline: Duration) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let signals = kiln_trap_stop_signals(fds[1])
        let pipeRead = fds[0]
        let handler = handler
        let (seconds, attoseconds) = deadline.components
        let milliseconds = Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
        let watcher = Thread {
            // Both sources of signals: the signalfd (the usual path) and the handler's pipe; and, every quarter of a
            // second, the pending set itself, so a signal is taken even if neither reported it (no signalfd could
            // be made) — a stop must never be lost.
            func next(timeout: Int32) -> Int32? {
                var left = timeout
                while true {
                    var entries = [
                        pollfd(fd: signals, events: Int16(POLLIN), revents: 0),
                        pollfd(fd: pipeRead, events: Int16(POLLIN), revents: 0),
                    ]
                    let slice = left < 0 ? 250 : Swift.min(left, 250)
                    var ready: Int32
                    repeat { ready = poll(&entries, 2, slice) } while ready < 0 && errno == EINTR
                    if ready > 0 {
                        if signals >= 0 && entries[0].revents != 0 { return kiln_read_stop_signal(signals) }
                        var byte: UInt8 = 0
                        if read(pipeRead, &byte, 1) == 1 { return Int32(byte) }
                    }
                    let pending = kiln_take_pending_stop_signal()
                    if pending > 0 { return pending }
                    if left >= 0 {
                        left -= slice
                        if left <= 0 { return nil }
                    }
                }
            }
            while true {
                guard let first = next(timeout: -1) else {
                    usleep(10_000)  // a failing descriptor must not turn this into a busy loop
                    continue
                }
                if stop.request(reason: signalName(first)) > 1 {
                    handler.fire()
                    continue
                }
                // Wait for the deadline or a second signal, whichever comes first.
                if let second = next(timeout: Swift.max(milliseconds, 1)) { stop.request(reason: signalName(second)) }
                handler.fire()
            }
        }
        watcher.start()
    }

    /// What to do when the deadline passes (or a second signal comes) before the run stopped by itself.
    /// If the deadline already passed with no handler set, a new handler runs at once.
    public func setDeadlineHandler(_ action: (@Sendable () -> Void)?) {
        handler.set(action)
    }
}

private func signalName(_ signo: Int32) -> String {
    switch signo {
    case SIGTERM: "SIGTERM"
    case SIGINT: "SIGINT"
    default: "signal \(signo)"
    }
}

import Dispatch
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
/// Uses dispatch signal sources, so the handlers run as ordinary code (they may lock and write files), not in
/// an async-signal context. Install once per process, in `main`; in-process callers (tests) pass their own
/// ``StopSignal`` instead.
public final class SignalTrap: Sendable {
    private final class Handler: Sendable {
        let action = Mutex<(@Sendable () -> Void)?>(nil)
        func fire() { action.withLock { $0 }?() }
    }
    private let sources: Mutex<[any DispatchSourceSignal]>
    private let handler = Handler()

    /// Routes SIGTERM and SIGINT to `stop`. After the first, `deadline` later (or at once on a second signal)
    /// calls the handler set with ``setDeadlineHandler(_:)``, if any; the handler is expected to exit.
    public init(stop: StopSignal, deadline: Duration) {
        let queue = DispatchQueue(label: "kiln.signals")
        let handler = handler
        let seconds = Double(deadline.components.seconds) + Double(deadline.components.attoseconds) / 1e18
        var made: [any DispatchSourceSignal] = []
        for (number, name) in [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")] {
            // Ignored at the C level so the default action (exit without a checkpoint) never runs.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                if stop.request(reason: name) == 1 {
                    queue.asyncAfter(deadline: .now() + seconds) { handler.fire() }
                } else {
                    handler.fire()
                }
            }
            source.resume()
            made.append(source)
        }
        sources = Mutex(made)
    }

    /// What to do when the deadline passes (or a second signal comes) before the run stopped by itself.
    public func setDeadlineHandler(_ action: (@Sendable () -> Void)?) {
        handler.action.withLock { $0 = action }
    }
}

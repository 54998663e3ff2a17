public import Foundation
public import PluginAPI
import Synchronization

/// Owns a run's `status.json`: every change is written at once (atomically, see `AtomicFile`), and the
/// heartbeat at most every ``heartbeatInterval`` from the training loop, so a stale heartbeat on a `running`
/// run means the loop itself stalled.
///
/// Sendable so the stop watchdog can record `interrupted` from its own thread; writes are serialised by the lock.
public final class StatusReporter: Sendable {
    /// The file written.
    public let url: URL
    /// Least time between two heartbeat writes.
    public let heartbeatInterval: Duration
    private struct State {
        var status: RunStatus
        var lastWrite: ContinuousClock.Instant
        var writeError: String?
    }
    private let state: Mutex<State>

    /// A reporter for `url` starting from `status` (written at once).
    public init(url: URL, status: RunStatus, heartbeatInterval: Duration = .seconds(2)) throws(RunError) {
        self.url = url
        self.heartbeatInterval = heartbeatInterval
        state = Mutex(State(status: status, lastWrite: .now))
        try update { _ in }
    }

    /// The status as last set.
    public var status: RunStatus { state.withLock { $0.status } }

    /// Applies `change`, stamps the heartbeat and writes the file.
    public func update(_ change: (inout RunStatus) -> Void) throws(RunError) {
        let failure: String? = state.withLock { s in
            change(&s.status)
            s.status.heartbeatAt = Date()
            return Self.write(&s, to: url)
        }
        if let failure { throw .io(failure) }
    }

    /// Records progress; writes only when the last write is older than ``heartbeatInterval``. A failed
    /// heartbeat write is remembered and retried, not thrown: a full disk should not kill a healthy run here.
    public func heartbeat(step: Int, totalSteps: Int) {
        state.withLock { s in
            s.status.step = step
            s.status.totalSteps = totalSteps
            s.status.progress = totalSteps > 0 ? Double(step) / Double(totalSteps) : nil
            guard ContinuousClock.now - s.lastWrite >= heartbeatInterval else { return }
            s.status.heartbeatAt = Date()
            s.writeError = Self.write(&s, to: url)
        }
    }

    /// Writes the final state and never returns: for the stop watchdog, which must not race the loop's writes.
    func writeAndExit(_ change: (inout RunStatus) -> Void, code: Int32) -> Never {
        state.withLock { s in
            change(&s.status)
            s.status.heartbeatAt = Date()
            _ = Self.write(&s, to: url)
            // _exit, not exit: the training thread may hold locks that atexit handlers would wait for.
            _exit(code)
        }
    }

    private static func write(_ s: inout State, to url: URL) -> String? {
        s.lastWrite = .now
        do {
            try s.status.write(to: url)
            return nil
        } catch {
            return "cannot write \(url.path): \(error)"
        }
    }
}

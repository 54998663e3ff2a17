import Foundation
import Glibc
import PluginAPI

/// Decides a run's final status from what the child recorded, how it exited, and whether the daemon
/// asked it to stop. Pure, so every combination is testable without processes.
enum RunOutcome {
    /// Failures the child found on its own; a stop request arriving at the same time does not hide them.
    private static let ownFailures: Set<RunStatus.FailureClass> = [
        .invalidSpec, .pluginError, .nonFiniteLoss, .outOfMemory,
    ]

    /// The status to keep after the child of `job` ended.
    ///
    /// - A stop request wins over whatever the child wrote on its way out, unless it succeeded or failed
    ///   for its own reasons first: cancel → `cancelled`, shutdown → `interrupted` (resumes later),
    ///   wall time → `failed`/`killed`.
    /// - Without a stop request the child's final state stands; if it left none, a signal death is
    ///   `failed`/`killed` and any other exit `failed`/`internal_error`.
    static func resolve(
        job: JobLedger.Job, recorded: RunStatus?, exit: ChildExit, stop: JobLedger.StopReason?,
        memoryLimitMiB: Int?, now: Date
    ) -> RunStatus {
        let hash = job.identity.contentHash
        var status =
            recorded.flatMap { $0.specHash == hash || $0.specHash.isEmpty ? $0 : nil }
            ?? RunStatus(state: .running, specHash: hash, attempt: job.attempt)
        status.specHash = hash
        if status.attempt == nil { status.attempt = job.attempt }

        let keptByChild =
            status.state == .succeeded || status.state == .rejected
            || (status.state == .failed && status.failure.map { ownFailures.contains($0) } == true)
        if let stop, !keptByChild {
            switch stop {
            case .cancel(let why):
                status.state = .cancelled
                status.failure = nil
                status.message =
                    "cancelled: \(why)" + (exit == .signaled(SIGKILL) ? " (killed after the grace period)" : "")
            case .shutdown:
                status.state = .interrupted
                status.failure = nil
                status.message = "interrupted by daemon shutdown; resumes at the next start"
            case .wallTime(let seconds):
                status.state = .failed
                status.failure = .killed
                status.message = "stopped: wall-time limit of \(formatSeconds(seconds)) exceeded"
            }
            status.endedAt = now
        } else if !status.state.isFinal && status.state != .interrupted {
            status.state = .failed
            switch exit {
            case .signaled(let sig):
                status.failure = .killed
                var message = "\(exit) without recording a final state"
                if let memoryLimitMiB, [SIGKILL, SIGSEGV, SIGABRT, SIGILL, SIGTRAP, SIGBUS].contains(sig) {
                    message += " (the memory limit of \(memoryLimitMiB) MiB may have been reached)"
                }
                status.message = message
            case .exited:
                status.failure = .internalError
                status.message = "\(exit) without recording a final state; see \(RunFolder.File.stderr)"
            }
            status.endedAt = now
        } else if status.endedAt == nil {
            status.endedAt = now
        }
        return status
    }

    /// The status of a run cancelled after it left the queue but before its child started.
    static func cancelledBeforeStart(job: JobLedger.Job, previous: RunStatus?, why: String, now: Date) -> RunStatus {
        var status =
            previous.flatMap { $0.specHash == job.identity.contentHash ? $0 : nil }
            ?? RunStatus(state: .queued, specHash: job.identity.contentHash)
        status.state = .cancelled
        status.failure = nil
        status.pid = nil
        status.endedAt = now
        status.message = "cancelled before start: \(why)"
        return status
    }

    static func formatSeconds(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
    }
}

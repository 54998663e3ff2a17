import Foundation
public import Logging
import PluginAPI

#if canImport(Glibc)
    import Glibc
#endif

/// What every part of one run shares: the run folder, the logger writing `run.log`, the status file with its
/// heartbeat, the stop flag, and the limits the spec set. Training sessions add their own metrics log and
/// checkpoint store (``TrainingSession``) in a ``WorkFolder``: the run folder itself, or a stage's folder.
///
/// Belongs to the one task that runs the job; not `Sendable`.
public final class RunContext {
    /// `NAME.run/`.
    public let folder: RunFolder
    /// Writes `run.log` (and echoes to stderr).
    public let logger: Logger
    /// Owns `status.json`.
    public let status: StatusReporter
    /// Set by SIGTERM/SIGINT; checked at every step boundary.
    public let stop: StopSignal
    /// `resources.memory_mb`: resident memory above it fails the run as out of memory.
    public let memoryLimitMB: Int?
    /// `resources.max_minutes`: the attempt stops (after checkpointing) once it has run this long.
    public let maxMinutes: Double?
    /// Compute threads (`Engine.threads`), recorded in checkpoints.
    public let threads: Int
    /// Identity of the experiment's settings (a hash of the resolved spec), recorded in checkpoints so a run
    /// never resumes from another experiment's state.
    public let configHash: String
    /// When this attempt started.
    public let startedAt = ContinuousClock.now
    let terminal: TerminalOutput
    /// Text before the progress line (`[003-lr=0.01] `) when several runs share a terminal.
    let progressPrefix: String

    init(
        folder: RunFolder, logger: Logger, status: StatusReporter, stop: StopSignal, terminal: TerminalOutput,
        memoryLimitMB: Int?, maxMinutes: Double?, threads: Int, configHash: String, progressPrefix: String = ""
    ) {
        self.folder = folder
        self.logger = logger
        self.status = status
        self.stop = stop
        self.terminal = terminal
        self.memoryLimitMB = memoryLimitMB
        self.maxMinutes = maxMinutes
        self.threads = threads
        self.configHash = configHash
        self.progressPrefix = progressPrefix
    }

    /// Minutes since this attempt started.
    var elapsedMinutes: Double {
        let d = ContinuousClock.now - startedAt
        return (Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18) / 60
    }

    /// Resident memory of this process in MiB (`/proc/self/statm`), or nil where that file is missing.
    static func residentMB() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE))) / (1 << 20)
    }
}

public import Foundation
public import PluginAPI

/// How `kiln run` was asked to run, beyond the spec.
public struct RunOptions: Sendable {
    /// Compute threads; nil takes `resources.threads`, else ``defaultThreads``.
    public var threads: Int?
    /// Discard the run folder's previous state (checkpoints, metrics, a finished result) and start over.
    public var restart: Bool
    /// Where data paths may point; empty means the spec's own directory.
    public var dataRoots: [URL]
    /// Where `start_from` checkpoints may be; empty means the spec's own directory.
    public var runRoots: [URL]
    /// Kiln's version, for provenance.
    public var kilnVersion: String
    /// Echo log lines to stderr (the progress line on a terminal is shown either way).
    public var echoLog: Bool
    /// How long a stop request may take before the process exits without a final checkpoint.
    public var stopDeadline: Duration
    /// A descriptor that already holds the run folder's lock (the daemon's `KILN_LOCK_FD`), used instead of
    /// locking again when it is that folder's `lock` file.
    public var inheritedLock: Int32?
    /// The attempt number to record (the daemon's `KILN_ATTEMPT`); nil counts from the previous status.
    public var attempt: Int?
    /// A memory limit in MiB for specs that set no `resources.memory_mb` (the daemon's `KILN_MEMORY_LIMIT_MIB`).
    public var memoryLimitMB: Int?
    /// A wall-clock limit for specs that set no `resources.max_minutes` (the daemon's `KILN_WALL_TIME_SECONDS`).
    public var maxMinutes: Double?

    /// Options with the given values; the defaults suit an interactive `kiln run`.
    public init(
        threads: Int? = nil, restart: Bool = false, dataRoots: [URL] = [], runRoots: [URL] = [],
        kilnVersion: String = "unknown", echoLog: Bool = true, stopDeadline: Duration = .seconds(30),
        inheritedLock: Int32? = nil, attempt: Int? = nil, memoryLimitMB: Int? = nil, maxMinutes: Double? = nil
    ) {
        self.threads = threads
        self.restart = restart
        self.dataRoots = dataRoots
        self.runRoots = runRoots
        self.kilnVersion = kilnVersion
        self.echoLog = echoLog
        self.stopDeadline = stopDeadline
        self.inheritedLock = inheritedLock
        self.attempt = attempt
        self.memoryLimitMB = memoryLimitMB
        self.maxMinutes = maxMinutes
    }

    /// Threads when neither the command line nor the spec says: the CPUs available, at most 8.
    public static var defaultThreads: Int { Swift.max(1, Swift.min(8, ProcessInfo.processInfo.activeProcessorCount)) }
}

/// The process exit codes of `kiln run` and `kiln validate`.
public enum KilnExitCode {
    /// The run finished, was interrupted on request (it resumes), or had nothing left to do; the spec is valid.
    public static let success: Int32 = 0
    /// The run failed: a plugin error, a non-finite loss, out of memory, a wall-clock limit.
    public static let runFailed: Int32 = 1
    /// The spec is invalid; nothing ran.
    public static let invalidSpec: Int32 = 2
    /// The run could not start: its folder is busy or belongs to other settings, or cannot be written.
    public static let cannotStart: Int32 = 3
}

/// How a `kiln run` ended.
public struct RunReport: Sendable, Equatable {
    /// The state recorded in `status.json`, or nil when no folder could be written.
    public var state: RunStatus.State?
    /// Why it failed, when it did.
    public var failure: RunStatus.FailureClass?
    /// One line for the terminal (or the validation report).
    public var message: String
    /// The process exit code (``KilnExitCode``).
    public var exitCode: Int32
    /// The run folder (for a sweep, the parent's).
    public var folder: URL?
}

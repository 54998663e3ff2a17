public import Foundation

/// Settings of `kiln serve`. Every field has a default, so an empty YAML document is a valid
/// configuration; keys are snake_case (`drop_directory`, `grace_period_seconds`, ...).
///
/// Reloaded on SIGHUP: `concurrency`, `threads_per_run`, `limits`, `grace_period_seconds`, `command`,
/// `environment`, `data_roots` and `checkpoint_retention` apply to runs started afterwards; the drop
/// directory and the watcher timings need a restart.
public struct DaemonConfig: Codable, Sendable, Equatable {
    /// The watched directory (specs directly in it or one subfolder down).
    public var dropDirectory: String = "/var/lib/kiln/drop"
    /// Directories where datasets live; given to each run as `KILN_DATA_ROOTS` (colon-separated).
    public var dataRoots: [String] = []
    /// How many runs may execute at once.
    public var concurrency: Int = 1
    /// Threads each run may use (`--threads`, `OMP_NUM_THREADS`, ...); nil: the cores divided by `concurrency`.
    public var threadsPerRun: Int?
    /// How many checkpoints a run keeps; given to each run as `KILN_CHECKPOINT_RETENTION`.
    public var checkpointRetention: Int = 3
    /// Seconds between SIGTERM and SIGKILL when a run is cancelled or exceeds its wall time.
    public var gracePeriodSeconds: Double = 30
    /// Seconds a daemon shutdown waits for its runs to checkpoint and exit before killing them.
    public var shutdownDeadlineSeconds: Double = 60
    /// Seconds between full rescans of the drop directory (a safety net for missed events; not polling).
    public var rescanPeriodSeconds: Double = 300
    /// Seconds a spec written in place must stay quiet after its last write before it is taken; a spec
    /// renamed into the directory is taken at once.
    public var debounceSeconds: Double = 0.15
    /// Specs larger than this are refused (a guard against huge or hostile files).
    public var maxSpecBytes: Int = 1 << 20
    /// The child's command line. `{spec}`, `{threads}` and `{run_dir}` are replaced; nil means
    /// `[<this executable>, "run", "{spec}", "--threads", "{threads}"]`.
    public var command: [String]?
    /// Extra environment variables for every run.
    public var environment: [String: String] = [:]
    /// Resource limits applied to each run.
    public var limits: RunLimits = RunLimits()

    /// Per-run resource limits; nil means no limit.
    public struct RunLimits: Codable, Sendable, Equatable {
        /// Wall-clock seconds a run may take per attempt before it is stopped (`failed`, `killed`).
        public var wallTimeSeconds: Double?
        /// Address-space limit in MiB (`RLIMIT_AS`, set in the child before `exec`). Counts virtual memory,
        /// so leave headroom for thread stacks and allocator arenas.
        public var memoryMiB: Int?
        /// Open-file limit (`RLIMIT_NOFILE`).
        public var openFiles: Int?

        /// No limits.
        public init(wallTimeSeconds: Double? = nil, memoryMiB: Int? = nil, openFiles: Int? = nil) {
            self.wallTimeSeconds = wallTimeSeconds
            self.memoryMiB = memoryMiB
            self.openFiles = openFiles
        }

        private enum CodingKeys: String, CodingKey {
            case wallTimeSeconds = "wall_time_seconds"
            case memoryMiB = "memory_mib"
            case openFiles = "open_files"
        }
    }

    /// The defaults, with the drop directory given.
    public init(dropDirectory: String = "/var/lib/kiln/drop") {
        self.dropDirectory = dropDirectory
    }

    /// `threadsPerRun`, or the cores shared evenly between the concurrent runs (at least 1).
    public var effectiveThreadsPerRun: Int {
        threadsPerRun ?? max(1, ProcessInfo.processInfo.activeProcessorCount / max(1, concurrency))
    }

    /// The drop directory as a file URL.
    public var dropDirectoryURL: URL { URL(fileURLWithPath: dropDirectory, isDirectory: true).standardizedFileURL }

    /// Problems that make the configuration unusable, one line each; empty when it is fine.
    public func problems() -> [String] {
        var out: [String] = []
        if dropDirectory.isEmpty { out.append("drop_directory: must not be empty") }
        if concurrency < 1 { out.append("concurrency: must be at least 1 (got \(concurrency))") }
        if let t = threadsPerRun, t < 1 { out.append("threads_per_run: must be at least 1 (got \(t))") }
        if checkpointRetention < 1 { out.append("checkpoint_retention: must be at least 1") }
        if gracePeriodSeconds < 0 { out.append("grace_period_seconds: must not be negative") }
        if shutdownDeadlineSeconds < 0 { out.append("shutdown_deadline_seconds: must not be negative") }
        if rescanPeriodSeconds < 1 {
            out.append("rescan_period_seconds: must be at least 1 (it is a safety net, not polling)")
        }
        if debounceSeconds < 0 || debounceSeconds > 10 { out.append("debounce_seconds: must be in 0...10") }
        if maxSpecBytes < 1 { out.append("max_spec_bytes: must be positive") }
        if let c = command, c.isEmpty { out.append("command: must name a program") }
        if let w = limits.wallTimeSeconds, w <= 0 { out.append("limits.wall_time_seconds: must be positive") }
        if let m = limits.memoryMiB, m < 16 { out.append("limits.memory_mib: must be at least 16") }
        if let f = limits.openFiles, f < 16 { out.append("limits.open_files: must be at least 16") }
        return out
    }

    private enum CodingKeys: String, CodingKey {
        case dropDirectory = "drop_directory"
        case dataRoots = "data_roots"
        case concurrency
        case threadsPerRun = "threads_per_run"
        case checkpointRetention = "checkpoint_retention"
        case gracePeriodSeconds = "grace_period_seconds"
        case shutdownDeadlineSeconds = "shutdown_deadline_seconds"
        case rescanPeriodSeconds = "rescan_period_seconds"
        case debounceSeconds = "debounce_seconds"
        case maxSpecBytes = "max_spec_bytes"
        case command, environment, limits
    }

    public init(from decoder: any Decoder) throws {
        // Missing keys keep their defaults, so a config file names only what it changes.
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = DaemonConfig()
        dropDirectory = try c.decodeIfPresent(String.self, forKey: .dropDirectory) ?? d.dropDirectory
        dataRoots = try c.decodeIfPresent([String].self, forKey: .dataRoots) ?? d.dataRoots
        concurrency = try c.decodeIfPresent(Int.self, forKey: .concurrency) ?? d.concurrency
        threadsPerRun = try c.decodeIfPresent(Int.self, forKey: .threadsPerRun)
        checkpointRetention = try c.decodeIfPresent(Int.self, forKey: .checkpointRetention) ?? d.checkpointRetention
        gracePeriodSeconds = try c.decodeIfPresent(Double.self, forKey: .gracePeriodSeconds) ?? d.gracePeriodSeconds
        shutdownDeadlineSeconds =
            try c.decodeIfPresent(Double.self, forKey: .shutdownDeadlineSeconds) ?? d.shutdownDeadlineSeconds
        rescanPeriodSeconds = try c.decodeIfPresent(Double.self, forKey: .rescanPeriodSeconds) ?? d.rescanPeriodSeconds
        debounceSeconds = try c.decodeIfPresent(Double.self, forKey: .debounceSeconds) ?? d.debounceSeconds
        maxSpecBytes = try c.decodeIfPresent(Int.self, forKey: .maxSpecBytes) ?? d.maxSpecBytes
        command = try c.decodeIfPresent([String].self, forKey: .command)
        environment = try c.decodeIfPresent([String: String].self, forKey: .environment) ?? d.environment
        limits = try c.decodeIfPresent(RunLimits.self, forKey: .limits) ?? d.limits
    }
}

extension Duration {
    /// A duration from seconds given as a `Double` (config values).
    static func seconds(double value: Double) -> Duration {
        .nanoseconds(Int64((max(0, value) * 1e9).rounded()))
    }
}

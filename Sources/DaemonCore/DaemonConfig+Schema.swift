public import PluginAPI

/// The daemon's settings described like a plugin's configuration: each key's documentation, type and
/// range in one table, so a settings file is checked the way a spec is (unknown keys with "did you
/// mean", wrong types, out-of-range values, each at its line and column) and `etc/kiln.yaml` can be
/// tested for completeness against it.
extension DaemonConfig: PluginConfig {
    /// The built-in defaults (`drop_directory: /var/lib/kiln/drop`).
    public init() {
        self.init(dropDirectory: "/var/lib/kiln/drop")
    }

    /// Every key, in YAML spelling, with its rules. `problems()` states the same rules for values built
    /// in code.
    public static let documentation: [String: FieldDoc] = [
        "drop_directory": FieldDoc(
            "The watched directory: specs directly in it or one subfolder down; each writes NAME.run/ beside it."),
        "data_roots": FieldDoc(
            "Directories datasets may be read from; specs' data paths must stay inside them (empty: the spec's "
                + "own directory). Given to runs as KILN_DATA_ROOTS.", type: .array(.string)),
        "concurrency": FieldDoc("How many runs may execute at once.", range: .atLeast(1)),
        "threads_per_run": FieldDoc(
            "Threads each run may use (--threads, OMP_NUM_THREADS, OPENBLAS_NUM_THREADS, ...); empty: the "
                + "cores divided by concurrency.", range: .atLeast(1), type: .integer),
        "checkpoint_retention": FieldDoc(
            "How many checkpoints a run keeps (KILN_CHECKPOINT_RETENTION).", range: .atLeast(1)),
        "grace_period_seconds": FieldDoc(
            "Seconds between SIGTERM and SIGKILL when a run is cancelled or exceeds its wall time.",
            range: .nonNegative),
        "shutdown_deadline_seconds": FieldDoc(
            "Seconds a daemon shutdown waits for its runs to checkpoint and exit before killing them; keep "
                + "systemd's TimeoutStopSec above it.", range: .nonNegative),
        "rescan_period_seconds": FieldDoc(
            "Seconds between full rescans of the drop directory, a safety net for missed events (not polling).",
            range: .atLeast(1)),
        "debounce_seconds": FieldDoc(
            "Seconds a spec written in place must stay quiet before it is taken; a spec renamed in is taken "
                + "at once.", range: .between(0, 10)),
        "max_spec_bytes": FieldDoc("Specs larger than this many bytes are refused.", range: .atLeast(1)),
        "command": FieldDoc(
            "The child's command line; {spec}, {threads} and {run_dir} are replaced. Empty: "
                + "[kiln, run, {spec}, --threads, {threads}] with this daemon's own executable.",
            type: .array(.string)),
        "environment": FieldDoc(
            "Extra environment variables for every run, as a mapping NAME: value.", type: .any),
        "limits": FieldDoc("Resource limits applied to each run; an empty value means no limit."),
        "limits.wall_time_seconds": FieldDoc(
            "Wall-clock seconds one attempt may take before it is stopped (failed, killed).", range: .positive,
            type: .number),
        "limits.memory_mib": FieldDoc(
            "Address-space limit in MiB (RLIMIT_AS): virtual memory, so leave headroom.", range: .atLeast(16),
            type: .integer),
        "limits.open_files": FieldDoc("Open-file limit (RLIMIT_NOFILE).", range: .atLeast(16), type: .integer),
    ]

    /// Rules the table cannot express.
    public func validate(_ v: inout ConfigValidator) {
        v.check(!dropDirectory.isEmpty, key: "drop_directory", "must not be empty")
        if let command { v.check(!command.isEmpty, key: "command", "must name a program") }
        if let command, let program = command.first {
            v.check(!program.isEmpty, key: "command", "the program name must not be empty")
        }
    }
}

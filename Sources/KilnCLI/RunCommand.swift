import ArgumentParser
import Experiment
import Foundation
import KilnServe

#if canImport(Glibc)
    import Glibc
#endif

/// `kiln run SPEC`: validate, then train and evaluate, leaving everything in `NAME.run/` beside the spec.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run an experiment spec (resuming it if it was interrupted).",
        discussion: """
            Everything goes in NAME.run/ beside NAME.yaml: status.json, run.log, metrics.jsonl and metrics.csv, \
            checkpoints/, plots/, result.json, spec.resolved.yaml and provenance.json. A sweep's children go in \
            NAME.sweep/<label>/ with summary.csv and summary.md. SIGTERM or SIGINT checkpoints at the next step and \
            exits 0; `kiln run` again resumes.

            Exit codes: 0 finished, interrupted or nothing to do; 1 the run failed; 2 the spec is invalid; \
            3 the run could not start (its folder is busy or holds another experiment's checkpoints).

            Under the daemon: KILN_LOCK_FD (the run lock, already held), KILN_ATTEMPT, KILN_DATA_ROOTS, \
            KILN_RUN_ROOTS, KILN_MEMORY_LIMIT_MIB and KILN_WALL_TIME_SECONDS (when the spec sets no limit).
            """)

    @Argument(help: "The spec file (YAML).", completion: .file(extensions: ["yaml", "yml"]))
    var spec: String

    @Option(help: "Compute threads (default: resources.threads, else the CPUs available, at most 8).")
    var threads: Int?

    @Flag(help: "Discard the run folder's checkpoints, metrics and result and start over.")
    var restart = false

    @Option(
        name: .customLong("data-root"),
        help: "A folder data paths may point into (repeatable; default: the spec's folder).")
    var dataRoots: [String] = []

    @Option(
        name: .customLong("run-root"),
        help: "A folder start_from may point into (repeatable; default: the spec's folder).")
    var runRoots: [String] = []

    @Option(help: "Seconds a stop request may take before kiln exits without a final checkpoint.")
    var stopDeadline: Double = 30

    @Flag(help: "Do not echo log lines to stderr (run.log has them all).")
    var quiet = false

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if stopDeadline <= 0 { throw ValidationError("--stop-deadline must be positive") }
    }

    func run() throws {
        let options = RunOptions(
            threads: threads, restart: restart,
            dataRoots: dataRoots.map(Self.url) + Self.environmentRoots("KILN_DATA_ROOTS"),
            runRoots: runRoots.map(Self.url) + Self.environmentRoots("KILN_RUN_ROOTS"), kilnVersion: KilnVersion.string,
            echoLog: !quiet, stopDeadline: .milliseconds(Int(stopDeadline * 1000)),
            inheritedLock: Self.environment("KILN_LOCK_FD").flatMap { Int32($0) },
            attempt: Self.environment("KILN_ATTEMPT").flatMap { Int($0) },
            memoryLimitMB: Self.environment("KILN_MEMORY_LIMIT_MIB").flatMap { Int($0) },
            maxMinutes: Self.environment("KILN_WALL_TIME_SECONDS").flatMap { Double($0) }.map { $0 / 60 })
        let stop = StopSignal()
        let trap = SignalTrap(stop: stop, deadline: options.stopDeadline)
        let runner = ExperimentRunner(catalog: try CLIPlugins.current, options: options)
        let report = runner.run(specAt: Self.url(spec), stop: stop, trap: trap)
        let line = report.exitCode == KilnExitCode.invalidSpec ? report.message : "kiln: \(report.message)"
        FileHandle.standardError.write(Data((line + "\n").utf8))
        // Every file is written and synced by now. `_exit` skips the C++ and OpenMP teardown that `exit` would run
        // while the engine's worker threads still exist (a rare abort at exit otherwise).
        _exit(report.exitCode)
    }

    static func url(_ path: String) -> URL {
        URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
    }

    /// An environment variable the daemon sets for its children (see DaemonCore's `RunLaunch`).
    static func environment(_ name: String) -> String? { ProcessInfo.processInfo.environment[name] }

    /// Colon-separated folders from an environment variable (the daemon's configured roots).
    static func environmentRoots(_ name: String) -> [URL] {
        (ProcessInfo.processInfo.environment[name] ?? "").split(separator: ":").map { url(String($0)) }
    }
}

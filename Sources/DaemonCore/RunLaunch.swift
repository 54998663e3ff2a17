import Foundation
import Glibc

/// The command line and environment of one run's child process.
///
/// The child gets, besides the daemon's own environment and `environment` from the configuration:
/// - `KILN_RUN_DIR`, `KILN_SPEC`, `KILN_SPEC_HASH` (the identity the daemon admitted), `KILN_ATTEMPT`,
///   `KILN_RESUME=1` when a previous attempt may have left checkpoints;
/// - its thread budget as `KILN_THREADS`, `OMP_NUM_THREADS`, `OPENBLAS_NUM_THREADS`, `MKL_NUM_THREADS`
///   and `VECLIB_MAXIMUM_THREADS` (and `--threads N` in the default command);
/// - `KILN_DATA_ROOTS` (colon-separated), `KILN_CHECKPOINT_RETENTION`;
/// - `KILN_LOCK_FD=3`: the run lock is already held on fd 3 — `kiln run` must not lock again;
/// - `KILN_MEMORY_LIMIT_MIB`, `KILN_WALL_TIME_SECONDS` when those limits are set.
///
/// systemd's `NOTIFY_SOCKET`, `WATCHDOG_*` and `LISTEN_*` are removed: they speak for the daemon only.
///
/// Memory and open-file limits are set with `ulimit` by `/bin/sh` right before it `exec`s the real
/// command: `posix_spawn` cannot set rlimits, and setting them in the daemon would limit the daemon.
struct RunLaunch: Equatable {
    var arguments: [String]
    var environment: [String: String]

    static let placeholders = (spec: "{spec}", threads: "{threads}", runDirectory: "{run_dir}")
    static let removedVariables: Set<String> = [
        "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES",
    ]

    /// - Parameter executable: the `kiln` whose `run` command runs the spec when the settings name no `command`.
    init(
        job: JobLedger.Job, settings: DaemonConfig, inherited: [String: String], lockDescriptor: Bool,
        executable: String = currentExecutable()
    ) {
        let threads = settings.effectiveThreadsPerRun
        let folder = job.folder
        let template = settings.command ?? [executable, "run", "{spec}", "--threads", "{threads}"]
        var command = template.map {
            $0.replacingOccurrences(of: Self.placeholders.spec, with: folder.spec.path)
                .replacingOccurrences(of: Self.placeholders.threads, with: String(threads))
                .replacingOccurrences(of: Self.placeholders.runDirectory, with: folder.directory.path)
        }

        var env = inherited.filter { !Self.removedVariables.contains($0.key) }
        env.merge(settings.environment) { _, configured in configured }
        let budget = String(threads)
        for key in [
            "KILN_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
        ] {
            env[key] = budget
        }
        env["KILN_RUN_DIR"] = folder.directory.path
        env["KILN_SPEC"] = folder.spec.path
        env["KILN_SPEC_HASH"] = job.identity.contentHash
        env["KILN_ATTEMPT"] = String(job.attempt)
        env["KILN_RESUME"] = job.attempt > 1 ? "1" : "0"
        env["KILN_CHECKPOINT_RETENTION"] = String(settings.checkpointRetention)
        if !settings.dataRoots.isEmpty { env["KILN_DATA_ROOTS"] = settings.dataRoots.joined(separator: ":") }
        if lockDescriptor { env["KILN_LOCK_FD"] = "3" } else { env["KILN_LOCK_FD"] = nil }

        var limits: [String] = []
        if let mib = settings.limits.memoryMiB {
            limits.append("ulimit -v \(mib * 1024)")
            env["KILN_MEMORY_LIMIT_MIB"] = String(mib)
        }
        if let files = settings.limits.openFiles { limits.append("ulimit -n \(files)") }
        if let wall = settings.limits.wallTimeSeconds { env["KILN_WALL_TIME_SECONDS"] = String(wall) }
        if !limits.isEmpty {
            // `sh -c SCRIPT ARG0 ARGS...`: the script sees the command as "$0" "$@" and replaces itself with it.
            command = ["/bin/sh", "-c", limits.joined(separator: " && ") + " && exec \"$0\" \"$@\""] + command
        }
        self.arguments = command
        self.environment = env
    }

    /// The running executable (`kiln`), from `/proc/self/exe`.
    static func currentExecutable() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return CommandLine.arguments.first ?? "kiln" }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

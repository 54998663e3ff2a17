import ArgumentParser
import DaemonCore
import Experiment
import Foundation
import Glibc
import KilnServe

/// `kiln serve`: the drop-directory daemon. Each spec dropped into the directory runs as a supervised
/// child `kiln run SPEC` writing `NAME.run/` beside it.
///
/// The daemon runs for weeks and `kiln` carries the whole engine, so `kiln serve` replaces itself (`exec`,
/// same pid, as systemd expects) with `kilnd` from beside it: the same daemon without the engine, plugins and
/// oneDNN mapped, checking specs with a `kiln check-specs` helper while specs arrive. A `kiln` with no
/// `kilnd` beside it (a third-party build) serves in process, checking specs itself.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the daemon: watch a drop directory and run each spec dropped into it.",
        discussion: """
            Drop NAME.yaml into the directory (write it elsewhere and rename it in); its run writes NAME.run/ \
            beside it: status.json, run.log, checkpoints. Delete the spec or `kiln cancel NAME` to stop it.

            Signals: SIGTERM or SIGINT stop gracefully (runs checkpoint and resume at the next start); \
            SIGHUP reloads the settings file. Under systemd (Type=notify) it reports READY, STATUS, \
            WATCHDOG and STOPPING.

            Exit status: 0 after a graceful stop, 1 when the daemon fails (the drop directory vanished), \
            78 when the settings are invalid (nothing started).

            The daemon process is `kilnd` (installed beside `kiln`); KILN_SERVE_IN_PROCESS=1 keeps it in \
            `kiln` itself.
            """)

    @OptionGroup var options: ServeOptions

    func run() async throws {
        let kiln = Daemon.currentExecutable
        if ProcessInfo.processInfo.environment["KILN_SERVE_IN_PROCESS"] != "1", let daemon = Self.daemonBeside(kiln) {
            try Self.become(daemon, kiln: kiln)
        }
        let catalog = try CLIPlugins.current
        try await ServeMain.run(options, runExecutable: kiln) { settings, _ in
            SpecLoaderValidator(
                catalog: catalog, dropDirectory: settings.dropDirectoryURL, dataRoots: settings.dataRoots)
        }
    }

    /// `kilnd` in the folder of `kiln`, if it is there and executable.
    static func daemonBeside(_ kiln: String) -> String? {
        let path = URL(fileURLWithPath: kiln).deletingLastPathComponent().appendingPathComponent("kilnd").path
        return access(path, X_OK) == 0 ? path : nil
    }

    /// Replaces this process with `kilnd`, passing on every argument after `serve`. Returns only by throwing.
    static func become(_ daemon: String, kiln: String) throws -> Never {
        let all = CommandLine.arguments
        let rest = all.firstIndex(of: "serve").map { Array(all[($0 + 1)...]) } ?? []
        let arguments = [daemon] + rest + ["--kiln", kiln]
        let argv = arguments.map { strdup($0) } + [nil]
        execv(daemon, argv)
        let error = errno
        for p in argv { free(p) }
        throw CLIFailure("cannot start \(daemon): \(String(cString: strerror(error)))").exit()
    }
}

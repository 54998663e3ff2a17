import Experiment
import ArgumentParser
import DaemonCore
import Foundation
import Logging
import PluginAPI
import Spec

/// `kiln serve`: the drop-directory daemon. Each spec dropped into the directory runs as a supervised
/// child `kiln run SPEC` writing `NAME.run/` beside it.
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
            """)

    @Option(name: .customLong("drop"), help: "The drop directory (overrides drop_directory in the settings).")
    var drop: String?

    @Option(name: .customLong("config"), help: "The settings file (see etc/kiln.yaml); defaults apply without one.")
    var config: String?

    @Option(
        name: .customLong("log-level"),
        help: "trace, debug, info, notice, warning, error or critical (default: $KILN_LOG_LEVEL, else info).")
    var logLevel: String?

    @Flag(name: .customLong("check"), help: "Check the settings and exit: 0 when valid, 78 with the problems.")
    var checkOnly = false

    /// EX_CONFIG from sysexits.h: the unit's `RestartPreventExitStatus=78` stops systemd from restarting
    /// a daemon whose settings cannot work.
    static let invalidSettingsExitCode: Int32 = 78

    func validate() throws {
        let level = logLevel ?? ProcessInfo.processInfo.environment["KILN_LOG_LEVEL"] ?? "info"
        guard Logger.Level(rawValue: level) != nil else {
            throw ValidationError("unknown log level '\(level)'")
        }
    }

    func run() async throws {
        let settings: DaemonConfig
        do {
            settings = try loadSettings()
        } catch {
            FileHandle.standardError.write(Data("kiln serve: invalid settings\n\(error)\n".utf8))
            throw ExitCode(Self.invalidSettingsExitCode)
        }
        if checkOnly {
            print("kiln serve: settings are valid (drop directory \(settings.dropDirectory))")
            return
        }

        let level = Logger.Level(rawValue: logLevel ?? ProcessInfo.processInfo.environment["KILN_LOG_LEVEL"] ?? "info")!
        LoggingSystem.bootstrap { label in
            var handler = StderrLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "kiln.serve")

        let registry = try CLIPlugins.current.registry
        let validator = SpecLoaderValidator(
            registry: registry, dropDirectory: settings.dropDirectoryURL, dataRoots: settings.dataRoots)
        if validator.checksSyntaxOnly {
            logger.warning("no plugins registered: dropped specs are checked for YAML syntax only")
        }
        let reload: @Sendable () async throws -> DaemonConfig = { [self] in
            let reloaded = try loadSettings()
            validator.reconfigure(dataRoots: reloaded.dataRoots)
            return reloaded
        }
        logger.notice(
            "kiln serve starting",
            metadata: [
                "drop.path": "\(settings.dropDirectory)", "daemon.concurrency": "\(settings.concurrency)",
                "daemon.threads_per_run": "\(settings.effectiveThreadsPerRun)",
                "daemon.config": "\(config ?? "(defaults)")", "plugins.count": "\(registry.plugins.count)",
                "kiln.version": "\(KilnVersion.string)", "daemon.pid": "\(getpid())",
            ])
        do {
            try await Daemon(config: settings, validator: validator, logger: logger, reload: reload).run()
        } catch let error as DaemonError {
            logger.critical("kiln serve failed", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
        logger.notice("kiln serve stopped")
    }

    /// The settings file (if any) with `--drop` applied, checked in full.
    private func loadSettings() throws -> DaemonConfig {
        var settings = DaemonConfig()
        if let config { settings = try DaemonConfig.load(contentsOf: URL(fileURLWithPath: config)) }
        if let drop { settings.dropDirectory = drop }
        settings.dropDirectory = DropDirectoryOptions.absolute(settings.dropDirectory).path
        let problems = settings.problems()
        guard problems.isEmpty else { throw DaemonError.invalidConfiguration(problems) }
        return settings
    }
}

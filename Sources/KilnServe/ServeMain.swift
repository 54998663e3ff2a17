import ArgumentParser
public import DaemonCore
import Foundation
import Glibc
public import Logging

/// The daemon's life from the command line: settings, logging, then the service group until SIGTERM.
/// `kilnd` runs it with the spec checker helper; a `kiln` without `kilnd` beside it runs it in process.
public enum ServeMain {
    /// Runs `kiln serve` with `options`.
    ///
    /// - Parameters:
    ///   - runExecutable: the `kiln` that runs each spec (`kiln run SPEC`).
    ///   - makeValidator: the spec check, made once the settings and logging are in place.
    public static func run(
        _ options: ServeOptions, runExecutable: String,
        makeValidator: (DaemonConfig, Logger) throws -> any SpecValidating
    ) async throws {
        let settings: DaemonConfig
        do {
            settings = try options.loadSettings()
        } catch {
            FileHandle.standardError.write(Data("kiln serve: invalid settings\n\(error)\n".utf8))
            throw ExitCode(ServeOptions.invalidSettingsExitCode)
        }
        if options.checkOnly {
            print("kiln serve: settings are valid (drop directory \(settings.dropDirectory))")
            return
        }

        let level = Logger.Level(rawValue: options.levelName) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StderrLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "kiln.serve")
        let validator = try makeValidator(settings, logger)
        if let loader = validator as? SpecLoaderValidator, loader.checksSyntaxOnly {
            logger.warning("no plugins registered: dropped specs are checked for YAML syntax only")
        }
        let reload: @Sendable () async throws -> DaemonConfig = {
            let reloaded = try options.loadSettings()
            validator.reconfigure(dataRoots: reloaded.dataRoots)
            return reloaded
        }
        logger.notice(
            "kiln serve starting",
            metadata: [
                "drop.path": "\(settings.dropDirectory)", "daemon.concurrency": "\(settings.concurrency)",
                "daemon.threads_per_run": "\(settings.effectiveThreadsPerRun)",
                "daemon.config": "\(options.config ?? "(defaults)")", "daemon.runs_with": "\(runExecutable)",
                "kiln.version": "\(KilnVersion.string)", "daemon.pid": "\(getpid())",
            ])
        do {
            try await Daemon(
                config: settings, validator: validator, logger: logger, reload: reload, runExecutable: runExecutable
            ).run()
        } catch let error as DaemonError {
            logger.critical("kiln serve failed", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
        logger.notice("kiln serve stopped")
    }
}

public import Foundation
import Glibc
public import Logging
public import ServiceLifecycle
public import UnixSignals

/// `kiln serve`: the drop-directory daemon assembled from its services.
///
/// ```swift
/// let daemon = Daemon(config: config, validator: RealValidator(registry), logger: logger,
///                     reload: { try loadConfig(at: path) })
/// try await daemon.run()   // until SIGTERM or SIGINT
/// ```
///
/// Services, in start order: `DropWatcher` → `SpecIntake` → `Supervisor` → `ReloadService` (SIGHUP)
/// → `SystemdNotifierService`. A graceful shutdown runs in reverse: systemd hears
/// `STOPPING=1` first, then the supervisor stops its runs (SIGTERM, checkpoint, SIGKILL at the
/// deadline), then intake and watcher stop.
public struct Daemon: Sendable {
    /// The configuration it starts with.
    public let config: DaemonConfig
    private let validator: any SpecValidating
    private let logger: Logger
    private let notifier: SystemdNotifier
    private let reload: (@Sendable () async throws -> DaemonConfig)?
    private let environment: [String: String]
    private let runExecutable: String?

    /// - Parameters:
    ///   - config: the settings; see `DaemonConfig` for the defaults.
    ///   - validator: spec validation (the `Spec` target's validator in `kiln serve`).
    ///   - notifier: systemd notifications; from the environment by default (a no-op outside systemd).
    ///   - reload: called on SIGHUP to read the configuration again; with nil, SIGHUP is ignored.
    ///   - environment: the environment runs inherit.
    ///   - runExecutable: the `kiln` whose `run` command runs each spec (unless the settings name a
    ///     `command`); this process's own executable by default.
    public init(
        config: DaemonConfig, validator: any SpecValidating, logger: Logger,
        notifier: SystemdNotifier = .fromEnvironment(),
        reload: (@Sendable () async throws -> DaemonConfig)? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment, runExecutable: String? = nil
    ) {
        self.config = config
        self.validator = validator
        self.logger = logger
        self.notifier = notifier
        self.reload = reload
        self.environment = environment
        self.runExecutable = runExecutable
    }

    /// This process's executable (`/proc/self/exe`): the `kiln` that runs specs when none is named.
    public static var currentExecutable: String { RunLaunch.currentExecutable() }

    /// Runs until SIGTERM or SIGINT (graceful) and returns once every run has stopped or been killed.
    /// Ignores SIGPIPE for the whole process: a write to a closed socket must be an error, not death.
    public func run() async throws {
        signal(SIGPIPE, SIG_IGN)
        let (group, _) = try await makeServiceGroup()
        try await group.run()
    }

    /// Builds the ledger (rebuilt from the run folders) and the service group without running it.
    ///
    /// - Parameters:
    ///   - gracefulShutdownSignals: signals that start a graceful shutdown; tests pass `[]` and call
    ///     `triggerGracefulShutdown()` instead of signalling their own process.
    ///   - trapHangup: handle SIGHUP (reload); tests pass false to leave their process's signals alone.
    public func makeServiceGroup(
        gracefulShutdownSignals: [UnixSignal] = [.sigterm, .sigint], trapHangup: Bool = true
    ) async throws -> (group: ServiceGroup, ledger: JobLedger) {
        let problems = config.problems()
        guard problems.isEmpty else { throw DaemonError.invalidConfiguration(problems) }
        let drop = config.dropDirectoryURL
        try FileManager.default.createDirectory(at: drop, withIntermediateDirectories: true)

        let ledger = JobLedger(settings: config)
        let rebuilt = await ledger.rebuild(dropDirectory: drop)
        logger.info(
            "ledger rebuilt from run folders",
            metadata: [
                "drop.path": "\(drop.path)", "runs.requeued": "\(rebuilt.requeued.count)",
                "runs.finished": "\(rebuilt.finished.count)", "runs.elsewhere": "\(rebuilt.elsewhere.count)",
                "runs.cancelled": "\(rebuilt.cancelled.count)",
            ])

        // One stream into the intake: the watcher's events and the supervisor's after-run rechecks.
        let (events, sink) = AsyncStream.makeStream(of: DropEvent.self)
        var services: [any Service] = [
            DropWatcher(
                dropDirectory: drop, debounce: .seconds(double: config.debounceSeconds),
                rescanPeriod: .seconds(double: config.rescanPeriodSeconds), events: sink, logger: logger),
            SpecIntake(
                events: events, ledger: ledger, validator: validator, dropDirectory: drop,
                maxSpecBytes: config.maxSpecBytes, logger: logger, heldRuns: HeldRunWatch(events: sink)),
            Supervisor(
                ledger: ledger, recheck: sink, logger: logger, environment: environment, runExecutable: runExecutable),
        ]
        if trapHangup {
            services.append(ReloadService(ledger: ledger, notifier: notifier, logger: logger, reload: reload))
        }
        services.append(SystemdNotifierService(notifier: notifier, ledger: ledger, logger: logger))

        var configuration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: gracefulShutdownSignals, logger: logger)
        // The supervisor kills its runs at the deadline itself; the margin covers reaping and final writes.
        configuration.maximumGracefulShutdownDuration = .seconds(double: config.shutdownDeadlineSeconds + 10)
        return (ServiceGroup(configuration: configuration), ledger)
    }
}

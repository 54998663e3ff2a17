import Glibc
public import Logging
public import ServiceLifecycle
import UnixSignals

/// Reloads the configuration on SIGHUP through a hook supplied by `kiln serve` (which knows where the
/// file is), and applies what can change while running; see `DaemonConfig` for which fields those are.
/// Tells systemd `RELOADING=1` before and `READY=1` after. Without a hook SIGHUP is logged and ignored
/// (its default action would end the daemon).
public struct ReloadService: Service {
    private let ledger: JobLedger
    private let notifier: SystemdNotifier
    private let reload: (@Sendable () async throws -> DaemonConfig)?
    private let logger: Logger

    /// - Parameter reload: reads the configuration again; a throw keeps the current settings.
    public init(
        ledger: JobLedger, notifier: SystemdNotifier, logger: Logger,
        reload: (@Sendable () async throws -> DaemonConfig)?
    ) {
        self.ledger = ledger
        self.notifier = notifier
        self.reload = reload
        self.logger = logger
    }

    public func run() async {
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        for await _ in hangups.cancelOnGracefulShutdown() {
            await reloadOnce()
        }
    }

    /// Reloads now (what SIGHUP does).
    public func reloadOnce() async {
        guard let reload else {
            logger.notice("SIGHUP ignored: no configuration reload is set up")
            return
        }
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        notifier.notify("RELOADING=1\nMONOTONIC_USEC=\(Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000)")
        defer { notifier.notify("READY=1") }
        do {
            let loaded = try await reload()
            let problems = loaded.problems()
            guard problems.isEmpty else { throw DaemonError.invalidConfiguration(problems) }
            let current = await ledger.settings
            var applied = loaded
            // These are fixed for the life of the process: the watcher and intake were built with them.
            applied.dropDirectory = current.dropDirectory
            applied.debounceSeconds = current.debounceSeconds
            applied.rescanPeriodSeconds = current.rescanPeriodSeconds
            applied.maxSpecBytes = current.maxSpecBytes
            if applied != loaded {
                logger.warning(
                    "some settings need a restart to change (drop directory, debounce, rescan period, max spec size)")
            }
            await ledger.apply(settings: applied)
            logger.notice("configuration reloaded", metadata: ["daemon.concurrency": "\(applied.concurrency)"])
        } catch {
            logger.error("configuration reload failed; keeping the current settings", metadata: ["error": "\(error)"])
        }
    }
}

public import Logging
public import ServiceLifecycle

/// Keeps systemd informed: `READY=1` (with a `STATUS=` line) once the startup scan is processed, a new
/// `STATUS=` whenever the counts change, `WATCHDOG=1` at half the watchdog period, and `STOPPING=1`
/// as soon as shutdown begins. Put it last in the service group so it is the first to hear of shutdown.
public struct SystemdNotifierService: Service {
    private let notifier: SystemdNotifier
    private let ledger: JobLedger
    private let logger: Logger

    /// Reports `ledger`'s summaries through `notifier`.
    public init(notifier: SystemdNotifier, ledger: JobLedger, logger: Logger) {
        self.notifier = notifier
        self.ledger = ledger
        self.logger = logger
    }

    public func run() async {
        let (notifier, ledger) = (self.notifier, self.ledger)
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                if let interval = notifier.watchdogInterval {
                    group.addTask {
                        while (try? await Task.sleep(for: interval)) != nil { notifier.notify("WATCHDOG=1") }
                    }
                }
                group.addTask {
                    var lastStatus: String?
                    for await summary in ledger.summaries where summary.ready {
                        let status = "STATUS=" + summary.statusLine
                        if lastStatus == nil {
                            logger.notice("kiln serve ready", metadata: ["daemon.status": "\(summary.statusLine)"])
                            notifier.notify("READY=1\n" + status)
                        } else if status != lastStatus {
                            notifier.notify(status)
                        }
                        lastStatus = status
                    }
                }
            }
        }
        notifier.notify("STOPPING=1")
        logger.debug("systemd notifier stopped", metadata: ["systemd.enabled": "\(notifier.isEnabled)"])
    }
}

import Foundation
import PluginAPI
import ServiceLifecycle

@testable import DaemonCore

/// A daemon on a temp drop directory with a fake child, run in-process without trapping signals.
struct DaemonHarness {
    let root: TempDirectory
    let drop: URL
    let bin: URL
    /// Every fake child start appends a line here (`$LOG`).
    let log: URL
    var config: DaemonConfig

    /// - Parameter child: the body of the fake `kiln run` script (see `writeFakeChild`).
    init(child: String = #"status succeeded ',"step":10,"total_steps":10,"progress":1'"#) throws {
        root = try TempDirectory("daemon")
        drop = try root.directory("drop")
        bin = try root.directory("bin")
        log = root.path("starts.log")
        let script = try writeFakeChild(in: bin, body: child)
        config = DaemonConfig(dropDirectory: drop.path)
        config.command = ["/bin/sh", script.path, "{spec}", "{threads}"]
        config.concurrency = 2
        config.threadsPerRun = 1
        config.debounceSeconds = 0.05
        config.gracePeriodSeconds = 0.3
        config.shutdownDeadlineSeconds = 3
        config.rescanPeriodSeconds = 60
        config.environment = ["LOG": log.path]
    }

    /// Replaces the fake child's script.
    func setChild(_ body: String) throws {
        _ = try writeFakeChild(in: bin, body: body)
    }

    /// Runs a daemon for the duration of `body`, then shuts it down gracefully and waits for it.
    func run<T>(
        validator: any SpecValidating = AcceptingSpecValidator(),
        notifier: SystemdNotifier = SystemdNotifier(socketAddress: nil),
        _ body: (JobLedger) async throws -> T
    ) async throws -> T {
        let daemon = Daemon(config: config, validator: validator, logger: testLogger, notifier: notifier)
        let (group, ledger) = try await daemon.makeServiceGroup(gracefulShutdownSignals: [], trapHangup: false)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let result: Result<T, any Error>
            do {
                result = .success(try await body(ledger))
            } catch {
                result = .failure(error)
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return try result.get()
        }
    }

    /// Waits until the run of `name` has a status for which `until` holds (default: final).
    @discardableResult
    func waitFor(
        _ name: String, timeout: Duration = .seconds(10),
        until: @escaping @Sendable (RunStatus) -> Bool = { $0.state.isFinal }
    ) async throws -> RunStatus {
        try await RunControl.waitForStatus(name: name, dropDirectory: drop, timeout: timeout, until: until)
    }

    func folder(_ name: String) -> RunFolder { RunControl.folder(named: name, dropDirectory: drop) }

    func status(_ name: String) -> RunStatus? { folder(name).readStatus() }

    @discardableResult
    func spec(_ name: String, _ text: String = "model: tiny\n") throws -> URL {
        try writeFile(drop.appendingPathComponent(name + ".yaml"), text)
    }
}

import Foundation
import Logging
import PluginAPI
import Spec

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a sweep: each point is a child run in its own folder (`NAME.sweep/<label>/`), one after another; the
/// parent keeps `NAME.run/status.json` (progress = children done), `run.log` and `result.json`, and rewrites
/// `NAME.sweep/summary.csv` and `summary.md` (every child's swept values and final metrics) and the comparison
/// charts `NAME.sweep/plots/<metric>.svg` (a line per child) after each child.
///
/// A child that already succeeded is skipped, so `kiln run` on an interrupted sweep continues where it stopped.
/// A failed child does not stop the others; the sweep then ends `failed`.
struct SweepRunner {
    let plan: SweepPlan
    let fileBytes: [UInt8]
    let catalog: PluginCatalog
    let options: RunOptions
    let stop: StopSignal
    let trap: SignalTrap?
    let terminal: TerminalOutput

    func execute() -> RunReport {
        let folder = RunFolder(beside: plan.source)
        let specHash = "sha256:" + SHA256.hex(fileBytes)
        let lock: FolderLock
        do throws(RunError) {
            lock = try FolderLock(folder, inherited: options.inheritedLock)
        } catch {
            return RunReport(
                state: nil, failure: error.failureClass, message: error.description,
                exitCode: KilnExitCode.cannotStart, folder: folder.url)
        }
        defer { withExtendedLifetime(lock) {} }
        let previous = try? RunStatus.read(from: folder.status)
        let startedAt = Date()
        let status: StatusReporter
        let sink: RunLogSink
        do throws(RunError) {
            if options.restart { try? FileManager.default.removeItem(at: sweepFolder) }
            sink = try RunLogSink(url: folder.log, terminal: terminal)
            status = try StatusReporter(
                url: folder.status,
                status: RunStatus(
                    state: .running, specHash: specHash, step: 0, totalSteps: plan.children.count, progress: 0,
                    startedAt: startedAt, pid: getpid(), attempt: options.attempt ?? (previous?.attempt ?? 0) + 1,
                    message: "sweep of \(plan.children.count) runs"))
        } catch {
            return RunReport(
                state: nil, failure: error.failureClass, message: error.description,
                exitCode: KilnExitCode.cannotStart, folder: folder.url)
        }
        let logger = Logger(label: "kiln.sweep") { _ in RunLogHandler(sink: sink) }
        logger.info("sweep started", metadata: ["spec": "\(plan.source.path)", "runs": "\(plan.children.count)"])

        var finals: [String: [String: Double]] = [:]
        var states: [String: RunStatus.State] = [:]
        var outcomes: [String: String] = [:]
        var finished = 0
        var firstFailure: RunReport?
        var interrupted = false
        for child in plan.children {
            if stop.isRequested {
                interrupted = true
                break
            }
            let childFolder = RunFolder(
                url: plan.source.deletingLastPathComponent().appendingPathComponent(child.directory))
            let attempt = RunAttempt(
                spec: child.spec, folder: childFolder, specHash: childHash(child), catalog: catalog, options: options,
                stop: stop, trap: trap, terminal: terminal, progressPrefix: "[\(child.label)] ", parentStatus: status,
                usesInheritedLock: false)
            logger.info("child started", metadata: ["child": "\(child.label)"])
            let report = attempt.execute()
            states[child.label] = report.state
            outcomes[child.label] = Self.outcome(of: report)
            if let metrics = RunResult.finalMetrics(in: childFolder.result), report.state == .succeeded {
                finals[child.label] = metrics
            }
            logger.info(
                "child ended",
                metadata: [
                    "child": "\(child.label)", "state": "\(report.state?.rawValue ?? "not started")",
                    "message": "\(report.message)",
                ])
            writeSummary(finals, outcomes: outcomes, logger: logger)
            // Progress counts children that ended; an interrupted one resumes and is not done.
            if report.state != .interrupted { finished += 1 }
            status.heartbeat(step: finished, totalSteps: plan.children.count)
            switch report.state {
            case .interrupted?:
                interrupted = true
            case .succeeded?: break
            default: if firstFailure == nil { firstFailure = report }
            }
            if interrupted { break }
        }
        let endedAt = Date()
        writeResult(finals, states: states, startedAt: startedAt, endedAt: endedAt, logger: logger)
        let succeeded = states.values.filter { $0 == .succeeded }.count
        if interrupted {
            let message = "sweep interrupted after \(succeeded) of \(plan.children.count) runs; `kiln run` resumes it"
            try? status.update {
                $0.state = .interrupted
                $0.endedAt = endedAt
                $0.message = message
            }
            logger.info("sweep interrupted")
            return RunReport(
                state: .interrupted, failure: nil, message: message, exitCode: KilnExitCode.success, folder: folder.url)
        }
        if let failure = firstFailure {
            let message =
                "\(plan.children.count - succeeded) of \(plan.children.count) runs failed; first: \(failure.message)"
            try? status.update {
                $0.state = .failed
                $0.failure = failure.failure ?? .internalError
                $0.endedAt = endedAt
                $0.message = message
            }
            logger.error("sweep failed", metadata: ["failed": "\(plan.children.count - succeeded)"])
            return RunReport(
                state: .failed, failure: failure.failure, message: message, exitCode: KilnExitCode.runFailed,
                folder: folder.url)
        }
        let message = "sweep of \(plan.children.count) runs finished; summary in \(plan.directory)/summary.md"
        try? status.update {
            $0.state = .succeeded
            $0.progress = 1
            $0.endedAt = endedAt
            $0.message = message
        }
        logger.info("sweep finished")
        return RunReport(
            state: .succeeded, failure: nil, message: message, exitCode: KilnExitCode.success, folder: folder.url)
    }

    private var sweepFolder: URL { plan.source.deletingLastPathComponent().appendingPathComponent(plan.directory) }

    /// A child's identity: the file's bytes and the child's label, so editing the sweep re-runs only what changed
    /// in label or file.
    private func childHash(_ child: SweepChild) -> String {
        "sha256:" + SHA256.hex(fileBytes + Array("\nsweep-child:\(child.label)".utf8))
    }

    /// A child's state as the summary shows it: `succeeded`, `interrupted`, or `failed:` and the failure class, as
    /// `kiln status` writes it.
    private static func outcome(of report: RunReport) -> String {
        switch report.state {
        case .failed?: "failed:" + (report.failure ?? .internalError).rawValue
        case let state?: state.rawValue
        case nil: report.failure.map { "failed:" + $0.rawValue } ?? "not started"
        }
    }

    /// `summary.csv`, `summary.md` and the comparison charts in `plots/`.
    private func writeSummary(_ finals: [String: [String: Double]], outcomes: [String: String], logger: Logger) {
        do { try plan.writeSummary(finalMetrics: finals, states: outcomes, in: sweepFolder) } catch {
            logger.warning("cannot write the sweep summary", metadata: ["error": "\(error)"])
        }
        let base = plan.source.deletingLastPathComponent()
        let children = plan.children.map { (label: $0.label, folder: base.appendingPathComponent($0.directory)) }
        do { try SweepPlots.write(children: children, to: sweepFolder.appendingPathComponent("plots")) } catch {
            logger.warning("cannot write the sweep plots", metadata: ["error": "\(error)"])
        }
    }

    private func writeResult(
        _ finals: [String: [String: Double]], states: [String: RunStatus.State], startedAt: Date, endedAt: Date,
        logger: Logger
    ) {
        let children: [ConfigValue] = plan.children.map { child in
            let metrics = (finals[child.label] ?? [:]).sorted { $0.key < $1.key }.map {
                ($0.key, ConfigValue.double($0.value))
            }
            return [
                "label": .string(child.label), "folder": .string(child.directory),
                "state": .string(states[child.label]?.rawValue ?? "not started"),
                "final_metrics": .object(ConfigObject(metrics)),
            ]
        }
        let result: ConfigValue = [
            "name": .string(plan.name), "children": .array(children),
            "summary": .string("\(plan.directory)/summary.md"),
            "started_at": .string(RunLogSink.timestamp(startedAt)), "ended_at": .string(RunLogSink.timestamp(endedAt)),
        ]
        let folder = RunFolder(beside: plan.source)
        do { try AtomicFile.write(Data((result.jsonText() + "\n").utf8), to: folder.result) } catch {
            logger.warning("cannot write the sweep result", metadata: ["error": "\(error)"])
        }
    }
}

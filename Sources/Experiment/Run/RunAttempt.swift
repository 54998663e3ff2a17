import Foundation
import Logging
import PluginAPI
import Spec
import TensorEngine

#if canImport(Glibc)
    import Glibc
#endif

/// One attempt at one run in its folder: lock it, decide between starting, resuming and having nothing to do,
/// record `status.json`, `run.log`, `spec.resolved.yaml` and `provenance.json`, run, and record how it ended.
struct RunAttempt {
    let spec: ExperimentSpec
    let folder: RunFolder
    /// The spec file's content hash (the run's identity in `status.json`).
    let specHash: String
    let catalog: PluginCatalog
    let options: RunOptions
    let stop: StopSignal
    let trap: SignalTrap?
    let terminal: TerminalOutput
    var progressPrefix = ""
    /// A sweep's own status, marked `interrupted` too if the stop deadline passes inside this child.
    var parentStatus: StatusReporter? = nil
    /// Whether `options.inheritedLock` is this run's (not a sweep child's).
    var usesInheritedLock = true

    /// Runs to the end, a stop request or a failure; never throws: every ending is a report.
    func execute() -> RunReport {
        let lock: FolderLock
        do throws(RunError) {
            lock = try FolderLock(folder, inherited: usesInheritedLock ? options.inheritedLock : nil)
            if options.restart { try clear() }
        } catch {
            return RunReport(
                state: nil, failure: error.failureClass, message: error.description,
                exitCode: KilnExitCode.cannotStart, folder: folder.url)
        }
        defer { withExtendedLifetime(lock) {} }
        let previous = try? RunStatus.read(from: folder.status)
        if let previous, previous.state == .succeeded, previous.specHash == specHash {
            return RunReport(
                state: .succeeded, failure: nil,
                message: "\(folder.url.lastPathComponent) already finished; pass --restart to run it again",
                exitCode: KilnExitCode.success, folder: folder.url)
        }
        let threads = options.threads ?? spec.resources.threads ?? RunOptions.defaultThreads
        Engine.threads = threads
        let startedAt = Date()
        let status: StatusReporter
        let sink: RunLogSink
        do throws(RunError) {
            sink = try RunLogSink(url: folder.log, terminal: terminal)
            status = try StatusReporter(
                url: folder.status,
                status: RunStatus(
                    state: .running, specHash: specHash, step: 0, totalSteps: nil, progress: 0, startedAt: startedAt,
                    pid: getpid(), attempt: options.attempt ?? (previous?.attempt ?? 0) + 1, message: "starting"))
        } catch {
            return RunReport(
                state: nil, failure: error.failureClass, message: error.description,
                exitCode: KilnExitCode.cannotStart, folder: folder.url)
        }
        let logger = Logger(label: "kiln.run") { _ in RunLogHandler(sink: sink) }
        let context = RunContext(
            folder: folder, logger: logger, status: status, stop: stop, terminal: terminal,
            memoryLimitMB: spec.resources.memoryMB ?? options.memoryLimitMB,
            maxMinutes: spec.resources.maxMinutes ?? options.maxMinutes, threads: threads,
            configHash: Self.configHash(spec), progressPrefix: progressPrefix)
        let parentStatus = parentStatus
        trap?.setDeadlineHandler {
            FileHandle.standardError.write(
                Data("kiln: the stop deadline passed; exiting without a final checkpoint\n".utf8))
            try? parentStatus?.update {
                $0.state = .interrupted
                $0.endedAt = Date()
                $0.message = "stopped by a signal; `kiln run` resumes the sweep"
            }
            status.writeAndExit(
                {
                    $0.state = .interrupted
                    $0.endedAt = Date()
                    $0.message = "stopped by a signal before the next step boundary; resumes from the latest checkpoint"
                }, code: KilnExitCode.success)
        }
        defer { trap?.setDeadlineHandler(nil) }

        if let previous, previous.state == .running {
            logger.warning(
                "previous attempt ended without recording its state (killed?)",
                metadata: ["pid": "\(previous.pid.map(String.init) ?? "?")", "attempt": "\(previous.attempt ?? 0)"])
        }
        let run = SingleRun(spec: spec, catalog: catalog, context: context)
        var provenance = Provenance.collect(
            kilnVersion: options.kilnVersion, specDirectory: spec.source.deletingLastPathComponent(), threads: threads,
            seed: spec.seed, streams: run.streams.seeds)
        provenance.startedAt = startedAt
        return finish(run: run, context: context, provenance: provenance, startedAt: startedAt)
    }

    private func finish(run: SingleRun, context: RunContext, provenance: Provenance, startedAt: Date) -> RunReport {
        var provenance = provenance
        let logger = context.logger
        let status = context.status
        logger.info(
            "run started",
            metadata: [
                "spec": "\(spec.source.path)", "attempt": "\(status.status.attempt ?? 1)",
                "threads": "\(context.threads)",
                "seed": "\(spec.seed)", "kiln": "\(options.kilnVersion)",
            ])
        do throws(RunError) {
            try writeProvenance(provenance)
            try status.update {
                $0.totalSteps = run.totalSteps
                $0.message = "running"
            }
            let outcome = try run.execute()
            terminal.clearProgress()
            provenance.endedAt = Date()
            try? writeProvenance(provenance)
            switch outcome {
            case .interrupted(let step):
                let message =
                    "interrupted by \(stop.requestReason ?? "a stop request") at step \(step); `kiln run` resumes it"
                try status.update {
                    $0.state = .interrupted
                    $0.step = step
                    $0.endedAt = provenance.endedAt
                    $0.message = message
                }
                logger.info("run interrupted", metadata: ["step": "\(step)"])
                return RunReport(
                    state: .interrupted, failure: nil, message: message, exitCode: KilnExitCode.success,
                    folder: folder.url)
            case .completed(let result):
                do {
                    try AtomicFile.write(
                        Data(result.json(state: "succeeded", startedAt: startedAt, endedAt: provenance.endedAt!).utf8),
                        to: folder.result)
                } catch {
                    throw RunError.io("cannot write \(folder.result.path): \(error)")
                }
                try status.update {
                    $0.state = .succeeded
                    $0.step = result.steps
                    $0.progress = 1
                    $0.endedAt = provenance.endedAt
                    $0.message = "finished " + Self.summary(result.headlineMetrics)
                }
                logger.info(
                    "run finished",
                    metadata: TrainingSession.headline(result.headlineMetrics, step: result.steps).mapValues {
                        .string($0)
                    })
                return RunReport(
                    state: .succeeded, failure: nil, message: "finished " + Self.summary(result.headlineMetrics),
                    exitCode: KilnExitCode.success, folder: folder.url)
            }
        } catch {
            terminal.clearProgress()
            logger.error("run failed", metadata: ["failure": "\(error.failureClass.rawValue)", "error": "\(error)"])
            let step = status.status.step
            try? status.update {
                $0.state = .failed
                $0.failure = error.failureClass
                $0.endedAt = Date()
                $0.message = error.description
                $0.step = step
            }
            provenance.endedAt = Date()
            try? writeProvenance(provenance)
            let code =
                error.failureClass == .invalidSpec
                ? KilnExitCode.invalidSpec
                : error.failureClass == .internalError ? KilnExitCode.cannotStart : KilnExitCode.runFailed
            return RunReport(
                state: .failed, failure: error.failureClass, message: error.description, exitCode: code,
                folder: folder.url)
        }
    }

    /// Identity of the settings that shape training: a hash of the resolved spec, so comments and key order in the
    /// file do not matter but any changed value does.
    static func configHash(_ spec: ExperimentSpec) -> String {
        var tree = spec.resolvedTree
        // Scheduling hints do not change what is computed.
        if case .object(var o) = tree {
            o["priority"] = nil
            o["resources"] = nil
            o["name"] = nil
            tree = .object(o)
        }
        return "sha256:" + SHA256.hex(Array(tree.jsonText(pretty: false).utf8))
    }

    /// `test.accuracy=0.97 loss=0.08`: the overall metrics, for one line.
    static func summary(_ metrics: [String: Double]) -> String {
        metrics.filter { PlotWriter.split($0.key).member == nil && !$0.key.contains(".class_") }
            .sorted { $0.key < $1.key }.prefix(8)
            .map { "\($0.key)=\(String(format: "%.4g", $0.value))" }.joined(separator: " ")
    }

    private func writeProvenance(_ provenance: Provenance) throws(RunError) {
        do {
            try AtomicFile.write(try provenance.encoded(), to: folder.provenance)
            let yaml = provenance.yamlComment + spec.resolvedYAML()
            try AtomicFile.write(Data(yaml.utf8), to: folder.resolvedSpec)
        } catch {
            throw .io("cannot write the run's provenance: \(error)")
        }
    }

    /// Empties the run folder except its lock (held by this process).
    private func clear() throws(RunError) {
        let fm = FileManager.default
        let names = (try? fm.contentsOfDirectory(atPath: folder.url.path)) ?? []
        for name in names where name != "lock" {
            do { try fm.removeItem(at: folder.url.appendingPathComponent(name)) } catch {
                throw .io("cannot clear \(folder.url.path) for --restart: \(error.localizedDescription)")
            }
        }
    }
}

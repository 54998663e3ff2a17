public import Foundation
import Glibc
public import Logging
import PluginAPI
public import ServiceLifecycle

/// Runs queued jobs as child processes, at most `concurrency` at a time, highest priority first.
///
/// Each run: take the run lock (skip if another process holds it), record `running`, spawn the child
/// (`kiln run SPEC --threads N` by default) with its thread budget and limits, wait for it, then keep or
/// fix its final status (see `RunOutcome`). Stop requests (cancel, wall time, shutdown) send SIGTERM to
/// the child's process group and SIGKILL after the grace period; outputs stay where they are.
///
/// On graceful shutdown it stops taking jobs, sends SIGTERM to every child so it checkpoints, and waits
/// up to `shutdown_deadline_seconds` before SIGKILL. Runs stopped this way are `interrupted` and resume
/// at the next start. Queued runs stay queued on disk.
public struct Supervisor: Service {
    private let ledger: JobLedger
    private let recheck: AsyncStream<DropEvent>.Continuation?
    private let logger: Logger
    private let environment: [String: String]
    private let runExecutable: String

    /// - Parameters:
    ///   - ledger: where jobs come from and outcomes go.
    ///   - recheck: after a run ends its spec is offered here again (the intake's stream), so an edit made
    ///     while it ran starts a new run.
    ///   - environment: the environment children inherit (before the run's own variables).
    ///   - runExecutable: the `kiln` that runs specs (`kiln run SPEC`) unless the settings name a `command`;
    ///     by default this process's own executable.
    public init(
        ledger: JobLedger, recheck: AsyncStream<DropEvent>.Continuation?, logger: Logger,
        environment: [String: String] = ProcessInfo.processInfo.environment, runExecutable: String? = nil
    ) {
        self.ledger = ledger
        self.recheck = recheck
        self.logger = logger
        self.environment = environment
        self.runExecutable = runExecutable ?? RunLaunch.currentExecutable()
    }

    /// Starts jobs as slots free up, until shutdown (then waits for the children) or cancellation
    /// (then kills them).
    public func run() async {
        let ledger = self.ledger
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                var stopping = false
                for await _ in ledger.wakeups {
                    if Task.isShuttingDownGracefully {
                        if !stopping {
                            stopping = true
                            logger.info("supervisor stopping; asking runs to checkpoint and exit")
                            await ledger.stopAll(reason: .shutdown)
                        }
                        if await ledger.activeCount == 0 { break }
                        continue
                    }
                    while let job = await ledger.dequeue() {
                        group.addTask { await execute(job) }
                    }
                }
            }
        } onGracefulShutdown: {
            ledger.wakeSupervisor()
        }
    }

    /// Runs one job from lock to final status.
    func execute(_ job: JobLedger.Job) async {
        let folder = job.folder
        let name = folder.name
        let settings = await ledger.settings
        var meta: Logger.Metadata = ["job.name": "\(name)", "spec.hash": "\(job.identity.short)"]

        let lock: RunLock
        do {
            guard let acquired = try await RunLock.acquire(runDirectory: folder.directory) else {
                logger.info("run is held by another process; not starting it", metadata: meta)
                await ledger.handOver(named: name)
                // The intake looks again and waits for the holder to let go.
                recheck?.yield(.specReady(folder.spec))
                return
            }
            lock = acquired
        } catch {
            logger.error("cannot lock the run folder", metadata: meta.merging(["error": "\(error)"]) { $1 })
            await ledger.finish(named: name, state: .failed)
            return
        }
        let previous = folder.readStatus()
        // Another daemon may have run this very content while it waited in our queue.
        if let previous, previous.specHash == job.identity.contentHash, previous.state.isFinal {
            lock.release()
            await ledger.finish(named: name, state: previous.state)
            return
        }
        switch await ledger.stopReason(named: name) {
        case .cancel(let why):
            try? folder.writeStatus(
                RunOutcome.cancelledBeforeStart(job: job, previous: previous, why: why, now: Date()))
            lock.release()
            await ledger.finish(named: name, state: .cancelled)
            return
        case .shutdown, .wallTime:
            lock.release()
            await ledger.finish(named: name, state: .interrupted)
            return
        case nil:
            break
        }

        var starting = RunStatus(
            state: .running, specHash: job.identity.contentHash, startedAt: Date(), attempt: job.attempt)
        if job.attempt > 1, let previous, previous.specHash == job.identity.contentHash {
            (starting.step, starting.totalSteps, starting.progress) = (
                previous.step, previous.totalSteps, previous.progress
            )
        }
        starting.message = job.attempt > 1 ? "resuming (attempt \(job.attempt))" : "starting"
        try? folder.writeStatus(starting, durable: false)  // the child rewrites it at once

        let launch = RunLaunch(
            job: job, settings: settings, inherited: environment, lockDescriptor: true, executable: runExecutable)
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(
                arguments: launch.arguments, environment: launch.environment, stdout: folder.stdoutFile.path,
                stderr: folder.stderrFile.path, inheritedLock: lock.fileDescriptor)
        } catch {
            var failed = starting
            (failed.state, failed.failure, failed.endedAt) = (.failed, .internalError, Date())
            failed.message = "\(error)"
            try? folder.writeStatus(failed)
            logger.error("cannot start run", metadata: meta.merging(["error": "\(error)"]) { $1 })
            lock.release()
            await ledger.finish(named: name, state: .failed, identity: job.identity)
            return
        }
        meta["job.pid"] = "\(child.pid)"
        logger.info("run started", metadata: meta)

        let (stops, stopper) = AsyncStream.makeStream(of: JobLedger.StopReason.self)
        await ledger.markRunning(named: name, pid: child.pid, stopper: stopper)
        await supervise(child, name: name, stops: stops, settings: settings)
        // The group leader is exited but unreaped, so the group id is still ours: clear out any helper
        // processes it left behind before the pid is released.
        child.signalGroup(SIGKILL)
        let exit = child.reap()

        let reason = await ledger.stopReason(named: name)
        let final = RunOutcome.resolve(
            job: job, recorded: folder.readStatus(), exit: exit, stop: reason,
            memoryLimitMiB: settings.limits.memoryMiB, now: Date())
        if final != folder.readStatus() { try? folder.writeStatus(final) }
        lock.release()
        await ledger.finish(named: name, state: final.state, identity: job.identity)
        logger.info(
            "run ended",
            metadata: meta.merging(["job.state": "\(final.state.rawValue)", "job.exit": "\(exit)"]) { $1 })
        if reason != .shutdown { recheck?.yield(.specReady(folder.spec)) }
    }

    /// Waits for the child, turning stop requests into SIGTERM and, after the grace period, SIGKILL.
    private func supervise(
        _ child: ChildProcess, name: String, stops: AsyncStream<JobLedger.StopReason>, settings: DaemonConfig
    ) async {
        let ledger = self.ledger
        await withTaskCancellationHandler {
            await withTaskGroup(of: Bool.self) { group in
                group.addTask {
                    await child.waitUntilExited()
                    return true
                }
                group.addTask {
                    for await reason in stops {
                        child.signalGroup(SIGTERM)
                        let grace = reason == .shutdown ? settings.shutdownDeadlineSeconds : settings.gracePeriodSeconds
                        guard (try? await Task.sleep(for: .seconds(double: grace))) != nil else { return false }
                        child.signalGroup(SIGKILL)
                        break
                    }
                    return false
                }
                if let wall = settings.limits.wallTimeSeconds {
                    group.addTask {
                        guard (try? await Task.sleep(for: .seconds(double: wall))) != nil else { return false }
                        _ = await ledger.requestStop(named: name, reason: .wallTime(wall))
                        return false
                    }
                }
                while let exited = await group.next() {
                    if exited { break }
                }
                group.cancelAll()
            }
        } onCancel: {
            // Hard cancellation of the daemon (not a graceful stop): do not leave runs behind.
            child.signalGroup(SIGKILL)
        }
    }
}

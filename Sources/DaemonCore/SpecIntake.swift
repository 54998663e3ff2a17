public import Foundation
public import Logging
import PluginAPI
public import ServiceLifecycle

/// Turns drop events into ledger changes: admits new and edited specs (validating them, archiving the
/// earlier run of an edited spec), answers invalid ones with `rejected` and a report, and turns
/// deletions and `NAME.cancel` files into stop requests.
///
/// One consumer handles every event in order, so two events about the same spec never race.
public struct SpecIntake: Service {
    private let events: AsyncStream<DropEvent>
    private let ledger: JobLedger
    private let validator: any SpecValidating
    private let dropDirectory: URL
    private let maxSpecBytes: Int
    private let logger: Logger
    private let heldRuns: HeldRunWatch?

    /// - Parameters:
    ///   - events: the watcher's events (and the supervisor's after-run rechecks).
    ///   - validator: the spec validation, injected by `kiln serve`.
    ///   - heldRuns: told about each run found held by another process, to offer it again once released.
    public init(
        events: AsyncStream<DropEvent>, ledger: JobLedger, validator: any SpecValidating, dropDirectory: URL,
        maxSpecBytes: Int, logger: Logger, heldRuns: HeldRunWatch? = nil
    ) {
        self.events = events
        self.ledger = ledger
        self.validator = validator
        self.dropDirectory = dropDirectory.standardizedFileURL
        self.maxSpecBytes = maxSpecBytes
        self.logger = logger
        self.heldRuns = heldRuns
    }

    /// Handles events until graceful shutdown or cancellation.
    public func run() async {
        for await event in events.cancelOnGracefulShutdown() {
            await handle(event)
        }
    }

    /// Handles one event (exposed for tests that feed events directly).
    func handle(_ event: DropEvent) async {
        switch event {
        case .specReady(let url):
            await consider(url)
        case .specRemoved(let url):
            // A rename-over or an editor's delete-and-write leaves the file in place; only a real removal cancels.
            guard !FileManager.default.fileExists(atPath: url.path) else { return await consider(url) }
            await stop(RunFolder(spec: url, dropDirectory: dropDirectory), why: "the spec file was removed")
        case .cancelRequested(let url):
            await cancel(requestFile: url)
        case .rescanned(let specs, let cancels, let initial):
            for url in specs { await consider(url) }
            for url in cancels { await cancel(requestFile: url) }
            let present = Set(specs.map { RunFolder(spec: $0, dropDirectory: dropDirectory).name })
            for folder in await ledger.activeRuns(notIn: present)
            where !FileManager.default.fileExists(atPath: folder.spec.path) {
                await stop(folder, why: "the spec file was removed")
            }
            if initial { await ledger.markReady() }
        }
    }

    /// Admits the spec at `url` if it is new or changed; a touch of known content does nothing.
    func consider(_ url: URL) async {
        let folder = RunFolder(spec: url, dropDirectory: dropDirectory)
        let meta: Logger.Metadata = ["job.name": "\(folder.name)", "spec.path": "\(url.path)"]
        let contents: Data
        do {
            contents = try SpecFile.read(url, dropDirectory: dropDirectory, maxBytes: maxSpecBytes)
        } catch .missing {
            return
        } catch {
            // Refused before validation (symlink out of the drop directory, not a file, too large).
            // Identity of the refusal is the error text, so the same refusal is not repeated each rescan.
            let identity = SpecIdentity(contents: Data("refused: \(error)".utf8))
            guard await ledger.check(folder, identity: identity) == .evaluate else { return }
            logger.warning("spec refused", metadata: meta.merging(["error": "\(error)"]) { $1 })
            await admit(folder, identity: identity, contents: nil, refusal: [error.description])
            return
        }
        let identity = SpecIdentity(contents: contents)
        guard await ledger.check(folder, identity: identity) == .evaluate else { return }
        await admit(folder, identity: identity, contents: contents, refusal: nil)
    }

    /// What the run folder says should become of a spec.
    private enum Decision {
        case elsewhere
        case finished(RunStatus.State)
        case enqueue(JobLedger.Job)
    }

    /// Looks at the run folder under its lock and queues, rejects, or records the spec. The ledger learns
    /// the outcome only after the lock is released, so the supervisor never finds its own intake holding it.
    private func admit(_ folder: RunFolder, identity: SpecIdentity, contents: Data?, refusal: [String]?) async {
        let meta: Logger.Metadata = ["job.name": "\(folder.name)", "spec.hash": "\(identity.short)"]
        let decision: Decision
        do {
            if let lock = try await RunLock.acquire(runDirectory: folder.directory) {
                defer { lock.release() }
                decision = try decide(
                    folder, lock: lock, identity: identity, contents: contents, refusal: refusal, meta: meta)
            } else {
                decision = .elsewhere
            }
        } catch {
            logger.error("cannot admit spec", metadata: meta.merging(["error": "\(error)"]) { $1 })
            return
        }
        switch decision {
        case .elsewhere:
            await ledger.record(folder, identity: identity, phase: .elsewhere)
            logger.debug("run is held by another process", metadata: meta)
            heldRuns?.watch(folder)
        case .finished(let state): await ledger.record(folder, identity: identity, phase: .finished(state))
        case .enqueue(let job): await ledger.enqueue(job)
        }
    }

    private func decide(
        _ folder: RunFolder, lock: RunLock, identity: SpecIdentity, contents: Data?, refusal: [String]?,
        meta: Logger.Metadata
    ) throws -> Decision {
        if let existing = folder.readStatus() {
            if existing.specHash == identity.contentHash {
                if existing.state.isFinal { return .finished(existing.state) }
                if refusal == nil {
                    // Left unfinished (queued, crashed, interrupted) with this very content: resume it.
                    let started = existing.state != .queued || existing.startedAt != nil
                    let attempt = (existing.attempt ?? (started ? 1 : 0)) + 1
                    return .enqueue(.init(folder: folder, identity: identity, attempt: attempt))
                }
            }
            let neverRan = existing.startedAt == nil && (existing.state == .queued || existing.state == .rejected)
            if !neverRan {
                // Outputs of earlier content are never overwritten: move them aside (still holding the old
                // folder's lock, so nobody starts in it meanwhile) and start afresh in a new folder.
                let archived = try folder.archive()
                logger.info(
                    "spec changed; earlier run archived",
                    metadata: meta.merging(["run.archive": "\(archived.lastPathComponent)"]) { $1 })
                guard let fresh = try RunLock.tryAcquire(runDirectory: folder.directory) else { return .elsewhere }
                defer { fresh.release() }
                return try record(folder, identity: identity, contents: contents, refusal: refusal, meta: meta)
            }
        }
        return try record(folder, identity: identity, contents: contents, refusal: refusal, meta: meta)
    }

    private func record(
        _ folder: RunFolder, identity: SpecIdentity, contents: Data?, refusal: [String]?, meta: Logger.Metadata
    ) throws -> Decision {
        switch try writeAdmission(folder, identity: identity, contents: contents, refusal: refusal, meta: meta) {
        case .valid(let priority): return .enqueue(.init(folder: folder, identity: identity, priority: priority))
        case .invalid: return .finished(.rejected)
        }
    }

    /// Validates and records the verdict in the (locked) run folder.
    private func writeAdmission(
        _ folder: RunFolder, identity: SpecIdentity, contents: Data?, refusal: [String]?, meta: Logger.Metadata
    ) throws -> SpecVerdict {
        let verdict: SpecVerdict
        if let refusal {
            verdict = .invalid(problems: refusal)
        } else {
            verdict = validator.validate(specAt: folder.spec, contents: contents ?? Data())
        }
        // Admission files are not fsynced: after a crash the spec file is still there and is admitted
        // again, so durability would only slow the answer (several fsyncs per spec in a burst).
        if let contents { try AtomicFile.write(contents, to: folder.specSnapshot, durable: false) }
        switch verdict {
        case .invalid(let problems):
            let report = Self.report(folder, identity: identity, problems: problems)
            try AtomicFile.write(Data(report.utf8), to: folder.validationReport, durable: false)
            let summary = problems.first.map { problems.count > 1 ? "\($0) (and \(problems.count - 1) more)" : $0 }
            try folder.writeStatus(
                RunStatus(
                    state: .rejected, specHash: identity.contentHash, failure: .invalidSpec, endedAt: Date(),
                    message: (summary ?? "invalid spec") + "; see \(RunFolder.File.validationReport)"), durable: false)
            logger.notice("spec rejected", metadata: meta.merging(["spec.problems": "\(problems.count)"]) { $1 })
        case .valid(let priority):
            try? FileManager.default.removeItem(at: folder.validationReport)
            try folder.writeStatus(
                RunStatus(state: .queued, specHash: identity.contentHash, message: "queued"), durable: false)
            logger.info("spec queued", metadata: meta.merging(["job.priority": "\(priority)"]) { $1 })
        }
        return verdict
    }

    /// The text of `validation.txt`.
    static func report(_ folder: RunFolder, identity: SpecIdentity, problems: [String]) -> String {
        var text = "kiln: spec rejected\nspec: \(folder.spec.path)\nidentity: \(identity.contentHash)\n"
        text += "\(problems.count) problem\(problems.count == 1 ? "" : "s"):\n"
        for problem in problems { text += "  - " + problem.replacingOccurrences(of: "\n", with: "\n    ") + "\n" }
        return text
    }

    private func cancel(requestFile url: URL) async {
        let folder = RunFolder(cancelRequest: url, dropDirectory: dropDirectory)
        // The request is consumed whether or not anything was running: a stale one must not cancel a later run.
        try? FileManager.default.removeItem(at: url)
        await stop(folder, why: "requested with \(url.lastPathComponent)")
    }

    private func stop(_ folder: RunFolder, why: String) async {
        switch await ledger.requestStop(named: folder.name, reason: .cancel(why)) {
        case .dequeued(let job):
            if let lock = try? await RunLock.acquire(runDirectory: folder.directory) {
                try? folder.writeStatus(
                    RunOutcome.cancelledBeforeStart(
                        job: job, previous: folder.readStatus(), why: why, now: Date()))
                lock.release()
            }
            logger.info("queued run cancelled", metadata: ["job.name": "\(folder.name)", "reason": "\(why)"])
        case .signalled:
            logger.info("stopping run", metadata: ["job.name": "\(folder.name)", "reason": "\(why)"])
        case .notActive:
            break
        }
    }
}

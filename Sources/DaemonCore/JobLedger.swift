import Foundation
public import PluginAPI

/// The daemon's one piece of shared mutable state: every known run, the queue, and the settings that
/// can change on reload. The intake admits into it, the supervisor takes jobs from it, cancel requests
/// go through it, and the notifier reads its summaries.
///
/// The run folders on disk stay the truth: the ledger is rebuilt from them at start (`rebuild`), and
/// anything it cannot vouch for (a run another process holds) is re-examined from disk.
public actor JobLedger {
    /// Where a known run is, as far as this daemon knows.
    public enum Phase: Sendable, Equatable {
        /// In the queue, waiting for a slot.
        case queued
        /// Taken by the supervisor; the child is being started.
        case starting
        /// A child with this pid is working on it.
        case running(pid: Int32)
        /// Ended (or interrupted) with this state; nothing more happens until the spec changes.
        case finished(RunStatus.State)
        /// Another process (a second daemon, an orphaned child, a `kiln run` by hand) holds its lock;
        /// `HeldRunWatch` offers the spec again when the lock is released.
        case elsewhere
    }

    /// Why a run is asked to stop.
    public enum StopReason: Sendable, Equatable {
        /// A cancel request (`kiln cancel`, `NAME.cancel`, the spec deleted), with its description.
        case cancel(String)
        /// The daemon is shutting down: checkpoint and exit; the run resumes at the next start.
        case shutdown
        /// The run exceeded its wall-time limit (seconds).
        case wallTime(Double)
    }

    /// A run ready to be started.
    public struct Job: Sendable, Equatable {
        /// Where the run lives.
        public let folder: RunFolder
        /// The spec content it runs.
        public let identity: SpecIdentity
        /// Higher starts first.
        public let priority: Int
        /// 1 for a first start, more when resuming.
        public let attempt: Int

        /// Creates a job.
        public init(folder: RunFolder, identity: SpecIdentity, priority: Int = 0, attempt: Int = 1) {
            self.folder = folder
            self.identity = identity
            self.priority = priority
            self.attempt = attempt
        }
    }

    /// What the ledger knows about one run.
    public struct Entry: Sendable {
        /// Where the run lives.
        public internal(set) var folder: RunFolder
        /// The spec content of the run, when known.
        public internal(set) var identity: SpecIdentity?
        /// Where the run is.
        public internal(set) var phase: Phase
        /// The job, while queued or running.
        public internal(set) var job: Job?
        var sequence: UInt64 = 0
        var stopReason: StopReason?
        var stopper: AsyncStream<StopReason>.Continuation?
    }

    /// What became of a stop request.
    public enum StopOutcome: Sendable, Equatable {
        /// The run was still queued and was removed from the queue; the caller records the outcome.
        case dequeued(Job)
        /// The run is starting or running; its supervisor task stops it.
        case signalled
        /// Nothing of this name is queued or running here.
        case notActive
    }

    /// Counts by phase, for `STATUS=` and logs.
    public struct Summary: Sendable, Equatable {
        public var queued = 0, running = 0, succeeded = 0, failed = 0
        public var cancelled = 0, rejected = 0, interrupted = 0, elsewhere = 0
        /// True once the startup scan has been processed.
        public var ready = false

        /// One line such as `2 running, 5 queued, 10 succeeded, 1 failed`.
        public var statusLine: String {
            let parts: [(Int, String)] = [
                (running, "running"), (queued, "queued"), (succeeded, "succeeded"), (failed, "failed"),
                (cancelled, "cancelled"), (rejected, "rejected"), (interrupted, "interrupted"),
                (elsewhere, "held elsewhere"),
            ]
            let shown = parts.filter { $0.0 > 0 || $0.1 == "running" || $0.1 == "queued" }
            return shown.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
        }
    }

    /// One element per change that may let the supervisor start something (coalesced).
    public nonisolated let wakeups: AsyncStream<Void>
    /// The summary after each change (only the newest is kept for a slow reader).
    public nonisolated let summaries: AsyncStream<Summary>
    private let wakeupSink: AsyncStream<Void>.Continuation
    private let summarySink: AsyncStream<Summary>.Continuation

    private var entries: [String: Entry] = [:]
    private var nextSequence: UInt64 = 0
    private var isReady = false
    private var isStopping = false
    /// The settings runs start with; replaced on reload.
    public private(set) var settings: DaemonConfig

    /// An empty ledger with these settings.
    public init(settings: DaemonConfig) {
        self.settings = settings
        (wakeups, wakeupSink) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        (summaries, summarySink) = AsyncStream.makeStream(of: Summary.self, bufferingPolicy: .bufferingNewest(1))
    }

    // MARK: Reading

    /// The entry for a run name (`NAME` or `SUBFOLDER/NAME`).
    public func entry(named name: String) -> Entry? { entries[name] }

    /// All entries, sorted by name.
    public func allEntries() -> [Entry] { entries.values.sorted { $0.folder.name < $1.folder.name } }

    /// Names of queued runs in the order they would start.
    public func queueOrder() -> [String] { queuedEntries().map(\.folder.name) }

    /// Counts by phase.
    public func summary() -> Summary {
        var s = Summary()
        s.ready = isReady
        for entry in entries.values {
            switch entry.phase {
            case .queued: s.queued += 1
            case .starting, .running: s.running += 1
            case .elsewhere: s.elsewhere += 1
            case .finished(let state):
                switch state {
                case .succeeded: s.succeeded += 1
                case .failed: s.failed += 1
                case .cancelled: s.cancelled += 1
                case .rejected: s.rejected += 1
                case .interrupted: s.interrupted += 1
                case .queued, .running: break
                }
            }
        }
        return s
    }

    /// Runs starting or running in this daemon.
    public var activeCount: Int {
        entries.values.count {
            if case .starting = $0.phase { true } else if case .running = $0.phase { true } else { false }
        }
    }

    /// The stop requested for a run, if any.
    public func stopReason(named name: String) -> StopReason? { entries[name]?.stopReason }

    // MARK: Admission (the intake)

    /// What the intake should do with a spec whose content is `identity`.
    public enum AdmissionCheck: Sendable, Equatable {
        /// Already queued, running or finished with this content: nothing to do (a touch is not a new run).
        case known
        /// Running with other content; the supervisor offers the spec again when the run ends.
        case afterCurrentRun
        /// Look at the disk: new, edited, or held elsewhere. A queued run with old content was withdrawn.
        case evaluate
    }

    /// Decides whether a spec needs a look. Withdraws a queued run whose spec changed, so it can be
    /// re-validated and re-admitted with the new content.
    public func check(_ folder: RunFolder, identity: SpecIdentity) -> AdmissionCheck {
        guard let entry = entries[folder.name] else { return .evaluate }
        switch entry.phase {
        case .elsewhere:
            return .evaluate
        case .queued where entry.identity != identity:
            entries[folder.name] = nil
            publish()
            return .evaluate
        case .starting, .running:
            return entry.identity == identity ? .known : .afterCurrentRun
        case .queued, .finished:
            return entry.identity == identity ? .known : .evaluate
        }
    }

    /// Puts a job in the queue.
    public func enqueue(_ job: Job) {
        nextSequence += 1
        entries[job.folder.name] = Entry(
            folder: job.folder, identity: job.identity, phase: .queued, job: job, sequence: nextSequence)
        publish()
        wakeupSink.yield()
    }

    /// Records a run that is not ours to start: finished on disk, or held by another process.
    public func record(_ folder: RunFolder, identity: SpecIdentity?, phase: Phase) {
        if let current = entries[folder.name], current.job != nil, isActive(current.phase) { return }
        entries[folder.name] = Entry(folder: folder, identity: identity, phase: phase)
        publish()
    }

    /// Marks the startup scan as processed (systemd's READY=1 follows).
    public func markReady() {
        isReady = true
        publish()
    }

    /// Names of queued or running runs whose spec is not among `specNames` (they were deleted).
    public func activeRuns(notIn specNames: Set<String>) -> [RunFolder] {
        entries.values.filter { isActive($0.phase) && !specNames.contains($0.folder.name) }.map(\.folder)
    }

    // MARK: Running (the supervisor)

    /// Takes the next job if a slot is free and the daemon is not stopping; the run becomes `starting`.
    public func dequeue() -> Job? {
        guard !isStopping, activeCount < settings.concurrency, let next = queuedEntries().first,
            let job = next.job
        else { return nil }
        entries[next.folder.name]?.phase = .starting
        publish()
        return job
    }

    /// Records the child's pid and the channel its supervisor task listens on for stop requests.
    /// A stop requested while the run was starting is delivered now.
    public func markRunning(named name: String, pid: Int32, stopper: AsyncStream<StopReason>.Continuation) {
        guard entries[name] != nil else { return }
        entries[name]?.phase = .running(pid: pid)
        entries[name]?.stopper = stopper
        if let reason = entries[name]?.stopReason { stopper.yield(reason) }
        publish()
    }

    /// Records how a started run ended and frees its slot.
    public func finish(named name: String, state: RunStatus.State, identity: SpecIdentity? = nil) {
        guard var entry = entries[name] else { return }
        entry.stopper?.finish()
        entry.stopper = nil
        entry.stopReason = nil
        entry.job = nil
        entry.phase = state == .running || state == .queued ? .finished(.failed) : .finished(state)
        if let identity { entry.identity = identity }
        entries[name] = entry
        publish()
        wakeupSink.yield()
    }

    /// A started run turned out to be held by another process; frees the slot.
    public func handOver(named name: String) {
        guard entries[name] != nil else { return }
        entries[name]?.phase = .elsewhere
        entries[name]?.job = nil
        entries[name]?.stopper?.finish()
        entries[name]?.stopper = nil
        publish()
        wakeupSink.yield()
    }

    // MARK: Stopping

    /// Asks a run to stop. A queued run leaves the queue (and is recorded `cancelled` for a cancel);
    /// a starting or running one is signalled through its supervisor task.
    public func requestStop(named name: String, reason: StopReason) -> StopOutcome {
        guard var entry = entries[name] else { return .notActive }
        switch entry.phase {
        case .queued:
            guard let job = entry.job else { return .notActive }
            entry.job = nil
            entry.phase = .finished(.cancelled)
            entries[name] = entry
            publish()
            return .dequeued(job)
        case .starting, .running:
            // The first reason wins: a cancel during shutdown stays a cancel, and vice versa.
            if entry.stopReason == nil { entry.stopReason = reason }
            entries[name] = entry
            if let stopper = entry.stopper, let first = entry.stopReason { stopper.yield(first) }
            return .signalled
        case .finished, .elsewhere:
            return .notActive
        }
    }

    /// Stops taking jobs and asks every starting or running job to stop for `reason`. Queued runs stay
    /// queued on disk and are picked up by the next start.
    public func stopAll(reason: StopReason) {
        isStopping = true
        for (name, entry) in entries where isActive(entry.phase) && entry.phase != .queued {
            _ = requestStop(named: name, reason: reason)
        }
        wakeupSink.yield()
    }

    /// True once `stopAll` was called.
    public var stopping: Bool { isStopping }

    // MARK: Settings

    /// Replaces the settings (SIGHUP). Runs already started keep theirs.
    public func apply(settings: DaemonConfig) {
        self.settings = settings
        wakeupSink.yield()
    }

    /// Wakes the supervisor (used by its own shutdown handler).
    public nonisolated func wakeSupervisor() {
        wakeupSink.yield()
    }

    // MARK: Private

    private func queuedEntries() -> [Entry] {
        entries.values.filter { $0.phase == .queued && $0.job != nil }.sorted {
            let (a, b) = ($0.job!.priority, $1.job!.priority)
            return a != b ? a > b : $0.sequence < $1.sequence
        }
    }

    private func isActive(_ phase: Phase) -> Bool {
        switch phase {
        case .queued, .starting, .running: true
        case .finished, .elsewhere: false
        }
    }

    private func publish() {
        summarySink.yield(summary())
    }
}

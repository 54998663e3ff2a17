/// Coalesces bursts of events per path: a path is reported once it has been quiet for `quietPeriod`,
/// with the last change seen. An editor's delete-then-write (or rename-over) within the period reads
/// as one write, so it does not cancel a running spec.
struct DebounceBuffer {
    /// The last thing that happened to a path.
    enum Change: Equatable {
        case written
        case removed
    }

    let quietPeriod: Duration
    private var pending: [String: (change: Change, due: ContinuousClock.Instant)] = [:]

    init(quietPeriod: Duration) {
        self.quietPeriod = quietPeriod
    }

    /// Records a change; the path's quiet period starts again. `quiet` overrides the period for this
    /// change (zero: due at once).
    mutating func note(_ path: String, _ change: Change, at now: ContinuousClock.Instant, quiet: Duration? = nil) {
        pending[path] = (change, now + (quiet ?? quietPeriod))
    }

    /// When the earliest pending path becomes due, or nil when nothing is pending.
    var nextDue: ContinuousClock.Instant? { pending.values.map(\.due).min() }

    /// Paths that are due at `now`, in the order they became quiet, and removes them.
    mutating func takeDue(at now: ContinuousClock.Instant) -> [(path: String, change: Change)] {
        let due = pending.filter { $0.value.due <= now }.sorted { ($0.value.due, $0.key) < ($1.value.due, $1.key) }
        for item in due { pending[item.key] = nil }
        return due.map { ($0.key, $0.value.change) }
    }

    /// True when nothing is pending.
    var isEmpty: Bool { pending.isEmpty }
}

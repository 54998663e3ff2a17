import Foundation
import Synchronization

/// Persistent worker threads for `parallelFor`.
///
/// A training step issues dozens of parallel kernels of tens of microseconds each; `concurrentPerform` costs a few
/// microseconds and several small allocations per call. Here the workers stay alive, spin briefly waiting for the
/// next job and then sleep, and a job is published by bumping a generation counter: no allocation per call.
/// One job runs at a time; a caller that finds the pool busy (another thread's job, or a nested call from inside a
/// chunk) runs its chunks itself, which gives the same result.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool()

    // Sound as @unchecked Sendable: `job`, `per` and `count` are written only by the thread holding `busy`, before
    // it publishes the job in `state` with release ordering; a worker reads them only after claiming a chunk of that
    // job (acquire), and the job cannot end (so they cannot change) before that chunk is finished.
    private var job: ((Range<Int>) -> Void)?
    private var per = 0
    private var count = 0

    /// The published job in one word, so a claim can never mix two jobs: generation << 32 | chunks << 16 | next.
    private let state = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    private let finished = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let workerCount = Mutex<Int>(0)
    private let wake = NSCondition()

    /// Spins before a worker sleeps: long enough to bridge the gaps between the kernels of one training step.
    private let spinLimit = 20_000

    /// Runs `body` over `chunks` chunks of `per` elements covering `0..<count`; returns when all have finished.
    func run(chunks: Int, per: Int, count: Int, _ body: (Range<Int>) -> Void) {
        guard chunks < 0xFFFF, busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else {
            for c in 0..<chunks { runChunk(c, per: per, count: count, body) }
            return
        }
        defer { busy.store(false, ordering: .releasing) }
        ensureWorkers(chunks - 1)
        withoutActuallyEscaping(body) { body in
            job = body
            self.per = per
            self.count = count
            finished.store(0, ordering: .relaxed)
            let generation = ((state.load(ordering: .relaxed) >> 32) + 1) & 0x7FFF_FFFF
            state.store(generation << 32 | chunks << 16, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                wake.lock()
                wake.broadcast()
                wake.unlock()
            }
            // The caller works too, then waits for the chunks others claimed.
            drain(generation)
            while finished.load(ordering: .acquiring) < chunks {}
            job = nil
        }
    }

    /// Claims and runs chunks of job `generation` until none are left.
    private func drain(_ generation: Int) {
        var s = state.load(ordering: .acquiring)
        while true {
            let chunks = (s >> 16) & 0xFFFF, next = s & 0xFFFF
            guard s >> 32 == generation, next < chunks else { return }
            let (claimed, current) = state.compareExchange(
                expected: s, desired: s + 1, ordering: .acquiringAndReleasing)
            guard claimed else {
                s = current
                continue
            }
            runChunk(next, per: per, count: count, job!)
            finished.add(1, ordering: .releasing)
            s = state.load(ordering: .acquiring)
        }
    }

    private func runChunk(_ c: Int, per: Int, count: Int, _ body: (Range<Int>) -> Void) {
        let lo = c * per, hi = Swift.min(count, lo + per)
        if lo < hi { body(lo..<hi) }
    }

    private func ensureWorkers(_ wanted: Int) {
        workerCount.withLock { n in
            while n < wanted {
                let thread = Thread { [unowned self] in self.workerLoop() }
                thread.name = "kiln-worker-\(n)"
                thread.start()
                n += 1
            }
        }
    }

    private func workerLoop() {
        var seen = state.load(ordering: .acquiring) >> 32
        while true {
            var spins = 0
            while state.load(ordering: .acquiring) >> 32 == seen {
                spins += 1
                if spins < spinLimit { continue }
                wake.lock()
                sleepers.add(1, ordering: .acquiringAndReleasing)
                while state.load(ordering: .acquiring) >> 32 == seen { wake.wait() }
                sleepers.subtract(1, ordering: .acquiringAndReleasing)
                wake.unlock()
            }
            seen = state.load(ordering: .acquiring) >> 32
            drain(seen)
        }
    }
}

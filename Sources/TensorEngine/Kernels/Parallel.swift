/// Work below this many elements runs on the calling thread: dispatch costs more than it saves.
package let parallelGrain = 1 << 15

/// Splits `0..<count` into contiguous chunks and runs `body(range)` for each on up to `Engine.threads` threads.
///
/// Chunk boundaries depend only on `count` and the thread count, so a kernel that writes disjoint outputs is
/// bit-reproducible for a given thread count. Reductions must not combine partials across chunks through this;
/// they use `fixedBlocks` so their results do not depend on the thread count at all.
package func parallelFor(_ count: Int, grain: Int = parallelGrain, _ body: (Range<Int>) -> Void) {
    guard let (chunks, per) = chunkLayout(count, grain: grain) else {
        if count > 0 { body(0..<count) }
        return
    }
    OpenMPTeam.run(chunks: chunks, per: per, count: count, body)
}

/// How both `parallelFor`s split `0..<count`: nil when it runs on the calling thread.
private func chunkLayout(_ count: Int, grain: Int) -> (chunks: Int, per: Int)? {
    let threads = Engine.threads
    guard threads > 1 && count >= grain * 2 else { return nil }
    let chunks = min(threads, (count + grain - 1) / grain)
    return (chunks, (count + chunks - 1) / chunks)
}

/// A kernel over index ranges, passed by value: ``parallelFor(_:grain:job:)`` hands it to the team without
/// turning a closure into an escaping one, which costs a heap box per call.
package protocol ChunkJob {
    /// Runs the part `range` of the work.
    func run(_ range: Range<Int>)
}

extension ChunkJob {
    /// Runs the job stored at `job` (its dynamic type is `Self`) on `range`.
    static func run(at job: UnsafeRawPointer, _ range: Range<Int>) {
        job.assumingMemoryBound(to: Self.self).pointee.run(range)
    }
}

/// `parallelFor` for hot loops that run every step (optimizer updates): the same chunks, no allocation.
package func parallelFor<Job: ChunkJob>(_ count: Int, grain: Int = parallelGrain, job: Job) {
    guard let (chunks, per) = chunkLayout(count, grain: grain) else {
        if count > 0 { job.run(0..<count) }
        return
    }
    withUnsafePointer(to: job) { OpenMPTeam.run(chunks: chunks, per: per, count: count, job: $0) }
}

/// Fixed-size blocks for reductions: partial results per block are combined in block order, so sums are
/// identical whatever the thread count.
package let reductionBlock = 1 << 14

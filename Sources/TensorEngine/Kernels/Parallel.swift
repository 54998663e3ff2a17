/// Work below this many elements runs on the calling thread: dispatch costs more than it saves.
package let parallelGrain = 1 << 15

/// Splits `0..<count` into contiguous chunks and runs `body(range)` for each on up to `Engine.threads` threads.
///
/// Chunk boundaries depend only on `count` and the thread count, so a kernel that writes disjoint outputs is
/// bit-reproducible for a given thread count. Reductions must not combine partials across chunks through this;
/// they use `fixedBlocks` so their results do not depend on the thread count at all.
package func parallelFor(_ count: Int, grain: Int = parallelGrain, _ body: (Range<Int>) -> Void) {
    let threads = Engine.threads
    if threads <= 1 || count < grain * 2 {
        if count > 0 { body(0..<count) }
        return
    }
    let chunks = min(threads, (count + grain - 1) / grain)
    let per = (count + chunks - 1) / chunks
    OpenMPTeam.run(chunks: chunks, per: per, count: count, body)
}

/// Fixed-size blocks for reductions: partial results per block are combined in block order, so sums are
/// identical whatever the thread count.
package let reductionBlock = 1 << 14

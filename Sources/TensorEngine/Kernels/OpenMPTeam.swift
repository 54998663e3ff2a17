import CDNNL

/// Runs `parallelFor`'s chunks on libgomp's thread team, the one oneDNN's primitives use.
///
/// With a pool of Kiln's own next to OpenMP's, each pool's idle threads spin (libgomp for up to 300,000 `pause`s)
/// while the other pool works, so a step of mixed oneDNN and Kiln kernels ran more threads than cores; measured on
/// the `cnn` workload, half of all cycles went to libgomp's spin loop. On one team there are only `Engine.threads`
/// threads, whichever library runs. A call from inside a parallel region (nested) gets a team of one and runs its
/// chunks in order on the calling thread; a call from another top-level thread gets that thread's own team.
enum OpenMPTeam {
    /// What a team member needs: the body and the chunk layout.
    private struct Job {
        let body: (Range<Int>) -> Void
        let chunks: Int, per: Int, count: Int
    }

    /// Runs `body` over `chunks` chunks of `per` elements covering `0..<count`; returns when all have finished.
    static func run(chunks: Int, per: Int, count: Int, _ body: (Range<Int>) -> Void) {
        withoutActuallyEscaping(body) { body in
            var job = Job(body: body, chunks: chunks, per: per, count: count)
            withUnsafeMutablePointer(to: &job) { GOMP_parallel(member, UnsafeMutableRawPointer($0), UInt32(chunks), 0) }
        }
    }

    /// One team member: chunks tid, tid + n, … (a team smaller than asked for still covers every chunk).
    private static let member: @convention(c) (UnsafeMutableRawPointer?) -> Void = { raw in
        let job = raw!.assumingMemoryBound(to: Job.self)
        forEachChunk(job.pointee.chunks, job.pointee.per, job.pointee.count) { job.pointee.body($0) }
    }

    /// A ``ChunkJob`` by address, with its dynamic type: nothing here is a Swift closure, so nothing is boxed.
    private struct TypedJob {
        let type: any ChunkJob.Type
        let job: UnsafeRawPointer
        let chunks: Int, per: Int, count: Int
    }

    /// Runs `job` over `chunks` chunks of `per` elements covering `0..<count`, allocating nothing.
    static func run<J: ChunkJob>(chunks: Int, per: Int, count: Int, job: UnsafePointer<J>) {
        var typed = TypedJob(type: J.self, job: UnsafeRawPointer(job), chunks: chunks, per: per, count: count)
        withUnsafeMutablePointer(to: &typed) {
            GOMP_parallel(typedMember, UnsafeMutableRawPointer($0), UInt32(chunks), 0)
        }
    }

    private static let typedMember: @convention(c) (UnsafeMutableRawPointer?) -> Void = { raw in
        let typed = raw!.assumingMemoryBound(to: TypedJob.self).pointee
        forEachChunk(typed.chunks, typed.per, typed.count) { typed.type.run(at: typed.job, $0) }
    }

    @inline(__always)
    private static func forEachChunk(_ chunks: Int, _ per: Int, _ count: Int, _ body: (Range<Int>) -> Void) {
        let n = Int(omp_get_num_threads())
        var c = Int(omp_get_thread_num())
        while c < chunks {
            let lo = c * per, hi = Swift.min(count, lo + per)
            if lo < hi { body(lo..<hi) }
            c += n
        }
    }
}

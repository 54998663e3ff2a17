import CDNNL
import Synchronization

/// Process-wide engine settings: one thread count governs Kiln's kernels and oneDNN's OpenMP pool.
public enum Engine {
    private static let threadCount = Atomic<Int>(1)

    /// Threads that kernels split large work across. Setting it also sets oneDNN's (OpenMP) thread count,
    /// so the BLAS and Kiln's own loops follow one setting.
    public static var threads: Int {
        get { threadCount.load(ordering: .relaxed) }
        set {
            let n = max(1, newValue)
            threadCount.store(n, ordering: .relaxed)
            omp_set_num_threads(Int32(n))
        }
    }

    /// The thread count oneDNN's OpenMP runtime will use now (for provenance and tests).
    public static var blasThreads: Int { Int(omp_get_max_threads()) }

    /// oneDNN's version, for provenance in run metadata and benchmark JSON.
    public static var blasDescription: String {
        guard let v = dnnl_version() else { return "oneDNN" }
        return "oneDNN \(v.pointee.major).\(v.pointee.minor).\(v.pointee.patch)"
    }
}

/// OpenMP's thread count is per calling thread: a oneDNN call from any thread other than the one that set
/// `Engine.threads` would use the OpenMP default (every core). Called before each oneDNN call; cheap.
@inline(__always)
package func alignOpenMPThreads() {
    let n = Int32(Engine.threads)
    if omp_get_max_threads() != n { omp_set_num_threads(n) }
}

import CDNNL

/// The oneDNN memory objects and pooled temporary buffers that one primitive call makes, released together when
/// the call ends (`defer { scratch.release() }`: an explicit release, because ARC may end an object's life at its
/// last use, before the primitives that read these buffers have run).
final class DNNLCallScratch {
    private var memories: [dnnl_memory_t] = []
    private var temporaries: [(UnsafeMutablePointer<Float>, Int)] = []

    /// A pooled buffer of at least `bytes` bytes, returned to the pool on release.
    func temporary(_ bytes: Int) -> UnsafeMutableRawPointer {
        let n = Swift.max(1, (bytes + 3) / 4)
        let p = BufferPool.shared.take(n)
        temporaries.append((p, n))
        return UnsafeMutableRawPointer(p)
    }

    /// `memory`, destroyed on release.
    func track(_ memory: dnnl_memory_t) -> dnnl_memory_t {
        memories.append(memory)
        return memory
    }

    /// Destroys the memory objects and returns the buffers; the scratch is empty afterwards.
    func release() {
        for m in memories { dnnl_memory_destroy(m) }
        for (p, n) in temporaries { BufferPool.shared.give(p, count: n) }
        memories.removeAll()
        temporaries.removeAll()
    }
}

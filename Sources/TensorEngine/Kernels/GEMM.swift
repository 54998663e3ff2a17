import CDNNL

/// Products smaller than this many multiply-adds run on the calling thread: splitting them costs more than it saves.
package let gemmParallelWork = 1 << 18

/// C[M,N] = alpha·op(A)·op(B) + beta·C, row-major, through oneDNN's sgemm.
/// `transA`: A is stored [K, M] and used transposed; likewise `transB` with B stored [N, K].
///
/// Large products are split into row blocks of C (column blocks when C is wide and short) across Kiln's worker
/// pool, each block one single-threaded sgemm. oneDNN's own OpenMP team is never started for a product, so its
/// threads do not spin for cores while Kiln's elementwise kernels run between products (measured: a third of the
/// `gpt` step's CPU time went to OpenMP spin-waits). Every element of C is computed by the same single-threaded
/// kernel whatever the thread count.
package func gemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    if m == 0 || n == 0 { return }
    if k == 0 {
        for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
        return
    }
    let threads = Engine.threads
    guard threads > 1 && m * n * k >= gemmParallelWork else {
        gemmOnThisThread(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                         beta: beta, c: c, ldc: ldc)
        return
    }
    let block = 16
    if m >= n || n < 2 * block {
        // Row blocks: rows r0..<r1 of C need rows r0..<r1 of op(A).
        parallelFor((m + block - 1) / block, grain: 1) { r in
            let r0 = r.lowerBound * block, r1 = Swift.min(m, r.upperBound * block)
            gemmOnThisThread(transA: transA, transB: transB, m: r1 - r0, n: n, k: k, alpha: alpha,
                             a: a + (transA ? r0 : r0 * lda), lda: lda, b: b, ldb: ldb, beta: beta,
                             c: c + r0 * ldc, ldc: ldc)
        }
    } else {
        // Column blocks: columns c0..<c1 of C need columns c0..<c1 of op(B).
        parallelFor((n + block - 1) / block, grain: 1) { r in
            let c0 = r.lowerBound * block, c1 = Swift.min(n, r.upperBound * block)
            gemmOnThisThread(transA: transA, transB: transB, m: m, n: c1 - c0, k: k, alpha: alpha, a: a, lda: lda,
                             b: b + (transB ? c0 * ldb : c0), ldb: ldb, beta: beta, c: c + c0, ldc: ldc)
        }
    }
}

/// sgemm on the calling thread only (OpenMP's thread count is per calling thread, so this leaves other threads'
/// setting alone; oneDNN primitives restore `Engine.threads` on their calling thread before they run).
package func gemmOnThisThread(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    if omp_get_max_threads() != 1 { omp_set_num_threads(1) }
    let status = dnnl_sgemm(
        CChar(UInt8(ascii: transA ? "T" : "N")), CChar(UInt8(ascii: transB ? "T" : "N")),
        dnnl_dim_t(m), dnnl_dim_t(n), dnnl_dim_t(k), alpha, a, dnnl_dim_t(lda), b, dnnl_dim_t(ldb),
        beta, c, dnnl_dim_t(ldc))
    precondition(status == dnnl_success, "gemm: dnnl_sgemm failed with status \(status.rawValue) for \(m)×\(k)·\(k)×\(n)")
}

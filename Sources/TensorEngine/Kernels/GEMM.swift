import CDNNL

/// C[M,N] = alpha·op(A)·op(B) + beta·C, row-major, through oneDNN's sgemm on `Engine.threads` threads.
/// `transA`: A is stored [K, M] and used transposed; likewise `transB` with B stored [N, K].
///
/// oneDNN's OpenMP team is the same team `parallelFor` runs Kiln's kernels on, so the product uses it directly.
/// (Splitting products into single-threaded row blocks over that team, tried for the `gpt` workload, made the
/// `mlp` step 25× slower at 2 threads: 126 ms against 4.9 ms with OMP_WAIT_POLICY=passive, 2.6–5.5 ms this way.)
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
    alignOpenMPThreads()
    let status = dnnl_sgemm(
        CChar(UInt8(ascii: transA ? "T" : "N")), CChar(UInt8(ascii: transB ? "T" : "N")),
        dnnl_dim_t(m), dnnl_dim_t(n), dnnl_dim_t(k), alpha, a, dnnl_dim_t(lda), b, dnnl_dim_t(ldb),
        beta, c, dnnl_dim_t(ldc))
    precondition(status == dnnl_success, "gemm: dnnl_sgemm failed with status \(status.rawValue) for \(m)×\(k)·\(k)×\(n)")
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

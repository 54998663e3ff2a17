import CDNNL

/// C[M,N] = alpha·op(A)·op(B) + beta·C, row-major, through oneDNN's sgemm.
/// `transA`: A is stored [K, M] and used transposed; likewise `transB` with B stored [N, K].
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

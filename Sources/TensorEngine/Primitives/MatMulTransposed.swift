extension Tensor {
    /// self · otherᵀ over the last two axes: [..., M, K] · [..., N, K]ᵀ → [..., M, N], batch dimensions equal
    /// (attention scores Q·Kᵀ over [B, H, T, d] without materialising Kᵀ). Records: dA = G·B, dB = Gᵀ·A,
    /// with the transposes as sgemm flags.
    public func matmul(transposing other: Tensor) -> Tensor {
        let a = self, b = other
        precondition(a.rank >= 2 && b.rank == a.rank && a.shape.dropLast(2) == b.shape.dropLast(2)
                     && a.shape.last == b.shape.last,
                     "matmul(transposing:): \(a.shape) · transpose of \(b.shape)")
        let m = a.shape[a.rank - 2], k = a.shape[a.rank - 1], n = b.shape[b.rank - 2]
        let batch = Array(a.shape.dropLast(2))
        let count = batch.reduce(1, *)
        let out = Tensor.make(shape: batch + [m, n]) { c in
            for i in 0..<count {
                gemm(transA: false, transB: true, m: m, n: n, k: k, a: a.storage.base + i * m * k, lda: k,
                     b: b.storage.base + i * n * k, ldb: k, c: c.baseAddress! + i * m * n, ldc: n)
            }
        }
        return Tensor.record("matmul_nt", out, [a, b]) { g, needs in
            var ga: Tensor? = nil, gb: Tensor? = nil
            if needs[0] {
                ga = Tensor.make(shape: a.shape) { d in
                    for i in 0..<count {
                        gemm(transA: false, transB: false, m: m, n: k, k: n, a: g.storage.base + i * m * n, lda: n,
                             b: b.storage.base + i * n * k, ldb: k, c: d.baseAddress! + i * m * k, ldc: k)
                    }
                }
            }
            if needs[1] {
                gb = Tensor.make(shape: b.shape) { d in
                    for i in 0..<count {
                        gemm(transA: true, transB: false, m: n, n: k, k: m, a: g.storage.base + i * m * n, lda: n,
                             b: a.storage.base + i * m * k, ldb: k, c: d.baseAddress! + i * n * k, ldc: k)
                    }
                }
            }
            return [ga, gb]
        }
    }
}

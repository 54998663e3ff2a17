extension Tensor {
    /// Matrix product. [M,K]·[K,N] → [M,N]; batched [...,M,K]·[...,K,N] → [...,M,N] with equal batch dims,
    /// or a 2-D right operand shared by every batch. dA = g·Bᵀ, dB = Aᵀ·g (summed over batches when shared);
    /// transposes are sgemm flags, never copies.
    public func matmul(_ other: Tensor) -> Tensor {
        let a = self, b = other
        precondition(a.rank >= 2 && b.rank >= 2, "matmul: needs rank ≥ 2, got \(a.shape) and \(b.shape)")
        let m = a.shape[a.rank - 2], k = a.shape[a.rank - 1]
        let kb = b.shape[b.rank - 2], n = b.shape[b.rank - 1]
        precondition(k == kb, "matmul: inner dimensions differ in \(a.shape) · \(b.shape)")
        let batch = Array(a.shape.dropLast(2))
        let sharedB = b.rank == 2
        precondition(sharedB || Array(b.shape.dropLast(2)) == batch,
                     "matmul: batch dimensions differ in \(a.shape) · \(b.shape)")
        let count = batch.reduce(1, *)
        let out = Tensor.make(shape: batch + [m, n]) { c in
            if sharedB {
                // One tall product: rows of every batch stacked.
                gemm(transA: false, transB: false, m: count * m, n: n, k: k, a: a.storage.base, lda: k,
                     b: b.storage.base, ldb: n, c: c.baseAddress!, ldc: n)
            } else {
                for i in 0..<count {
                    gemm(transA: false, transB: false, m: m, n: n, k: k, a: a.storage.base + i * m * k, lda: k,
                         b: b.storage.base + i * k * n, ldb: n, c: c.baseAddress! + i * m * n, ldc: n)
                }
            }
        }
        return Tensor.record("matmul", out, [a, b]) { g, needs in
            var ga: Tensor? = nil, gb: Tensor? = nil
            if needs[0] {
                ga = Tensor.make(shape: a.shape) { d in
                    if sharedB {
                        gemm(transA: false, transB: true, m: count * m, n: k, k: n, a: g.storage.base, lda: n,
                             b: b.storage.base, ldb: n, c: d.baseAddress!, ldc: k)
                    } else {
                        for i in 0..<count {
                            gemm(transA: false, transB: true, m: m, n: k, k: n, a: g.storage.base + i * m * n, lda: n,
                                 b: b.storage.base + i * k * n, ldb: n, c: d.baseAddress! + i * m * k, ldc: k)
                        }
                    }
                }
            }
            if needs[1] {
                gb = Tensor.make(shape: b.shape) { d in
                    if sharedB {
                        gemm(transA: true, transB: false, m: k, n: n, k: count * m, a: a.storage.base, lda: k,
                             b: g.storage.base, ldb: n, c: d.baseAddress!, ldc: n)
                    } else {
                        for i in 0..<count {
                            gemm(transA: true, transB: false, m: k, n: n, k: m, a: a.storage.base + i * m * k, lda: k,
                                 b: g.storage.base + i * m * n, ldb: n, c: d.baseAddress! + i * k * n, ldc: n)
                        }
                    }
                }
            }
            return [ga, gb]
        }
    }

    /// x·Wᵀ + b for x [..., In], W [Out, In] (PyTorch's layout), b [Out]: one sgemm with the bias preloaded.
    /// dx = g·W, dW = gᵀ·x, db = Σ g over rows.
    public func linear(weight w: Tensor, bias: Tensor? = nil) -> Tensor {
        let x = self
        let inF = x.shape.last!, outF = w.shape[0]
        precondition(w.rank == 2 && w.shape[1] == inF, "linear: input \(x.shape) with weight \(w.shape)")
        if let bias { precondition(bias.shape == [outF], "linear: bias \(bias.shape) for weight \(w.shape)") }
        let rows = x.count / Swift.max(inF, 1)
        let outShape = Array(x.shape.dropLast()) + [outF]
        let out = Tensor.make(shape: outShape) { c in
            let cp = c.baseAddress!
            if let bias {
                for r in 0..<rows { (cp + r * outF).update(from: bias.storage.base, count: outF) }
            }
            gemm(transA: false, transB: true, m: rows, n: outF, k: inF, a: x.storage.base, lda: inF,
                 b: w.storage.base, ldb: inF, beta: bias == nil ? 0 : 1, c: cp, ldc: outF)
        }
        let inputs = bias.map { [x, w, $0] } ?? [x, w]
        return Tensor.record("linear", out, inputs) { g, needs in
            var grads: [Tensor?] = [nil, nil, nil]
            if needs[0] {
                grads[0] = Tensor.make(shape: x.shape) { d in
                    gemm(transA: false, transB: false, m: rows, n: inF, k: outF, a: g.storage.base, lda: outF,
                         b: w.storage.base, ldb: inF, c: d.baseAddress!, ldc: inF)
                }
            }
            if needs[1] {
                grads[1] = Tensor.make(shape: w.shape) { d in
                    gemm(transA: true, transB: false, m: outF, n: inF, k: rows, a: g.storage.base, lda: outF,
                         b: x.storage.base, ldb: inF, c: d.baseAddress!, ldc: inF)
                }
            }
            if needs.count > 2 && needs[2] {
                grads[2] = Tensor.make(shape: [outF]) { d in
                    reduceForward(.sum, g.storage.base, outer: 1, n: rows, inner: outF, d.baseAddress!)
                }
            }
            return Array(grads.prefix(inputs.count))
        }
    }
}

extension Tensor {
    /// out = self·other for 2-D operands, written into an existing tensor of the right shape (no allocation;
    /// not recorded). Benchmarks and inference loops use it to keep buffers.
    public func matmul(_ other: Tensor, into out: inout Tensor) {
        precondition(rank == 2 && other.rank == 2 && shape[1] == other.shape[0] && out.shape == [shape[0], other.shape[1]],
                     "matmul(into:): \(shape) · \(other.shape) into \(out.shape)")
        let m = shape[0], k = shape[1], n = other.shape[1]
        let a = storage.base, b = other.storage.base
        out.withUnsafeMutableElements { c in
            gemm(transA: false, transB: false, m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: c.baseAddress!, ldc: n)
        }
    }
}

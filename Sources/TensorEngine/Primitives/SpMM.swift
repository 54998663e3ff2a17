extension SparseMatrix {
    /// Sparse × dense product (SpMM): A [rows, cols] · X [cols, F...] → [rows, F...], out[i] = Σⱼ A[i, j]·X[j].
    ///
    /// Forward runs over output rows in parallel. Records with the values and X as inputs:
    /// dX = Aᵀ·G, through the pattern's cached column grouping (the transpose's CSR; no transpose is built), and
    /// dA[e] = ⟨G[row e], X[col e]⟩ for every stored entry (SDDMM). Deterministic for any thread count.
    public func matmul(_ x: Tensor) -> Tensor {
        precondition(x.rank >= 1 && x.shape[0] == cols, "SparseMatrix.matmul: \(rows)×\(cols) matrix with X \(x.shape)")
        let width = x.count / Swift.max(cols, 1)
        let p = pattern, v = values
        let out = Tensor.make(shape: [rows] + x.shape.dropFirst()) { o in
            p.rowIndex.withPointers { _, offsets, _ in
                p.colIndex.segments.withUnsafeBufferPointer { col in
                    segmentedAccumulate(segments: p.rows, offsets: offsets, gather: col.baseAddress,
                                        weights: v.storage.base, x.storage.base, width: width, o.baseAddress!)
                }
            }
        }
        return Tensor.record("spmm", out, [v, x]) { g, needs in
            var dv: Tensor? = nil, dx: Tensor? = nil
            if needs[0] {
                dv = Tensor.make(shape: [p.nnz]) { d in
                    p.rowIndex.segments.withUnsafeBufferPointer { row in
                        p.colIndex.segments.withUnsafeBufferPointer { col in
                            guard let row = row.baseAddress, let col = col.baseAddress else { return }
                            rowPairDots(count: p.nnz, g.storage.base, row, x.storage.base, col, width: width,
                                        d.baseAddress!)
                        }
                    }
                }
            }
            if needs[1] {
                dx = Tensor.make(shape: x.shape) { d in
                    p.colIndex.withPointers { _, offsets, order in
                        // The values in column order, so the transpose's loop reads everything in sequence.
                        let permuted = order.map { order in
                            Tensor.make(shape: [p.nnz]) { t in
                                for k in 0..<p.nnz { t[k] = v.storage.base[Int(order[k])] }
                            }
                        } ?? v
                        p.transposedRows.withUnsafeBufferPointer { rows in
                            segmentedAccumulate(segments: p.cols, offsets: offsets, gather: rows.baseAddress,
                                                weights: permuted.storage.base, g.storage.base, width: width,
                                                d.baseAddress!)
                        }
                    }
                }
            }
            return [dv, dx]
        }
    }
}

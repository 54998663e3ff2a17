extension Tensor {
    /// torch.gather: `out[i][j][k] = x[indices[i][j][k]][j][k]` for axis 0 (likewise for other axes).
    ///
    /// `indices` holds integers as floats, has this tensor's rank and is no larger off `axis`; the output has its
    /// shape. Records; d = g scatter-added back (repeated indices accumulate, deterministically).
    public func gather(axis: Int, indices: Tensor) -> Tensor {
        let a = normalizedAxis(axis, "gather")
        precondition(indices.rank == rank && shape.indices.allSatisfy { $0 == a || indices.shape[$0] <= shape[$0] },
                     "gather: indices of shape \(indices.shape) do not fit input \(shape) along axis \(axis)")
        let idx = indices.indexValues("gather", bound: shape[a])
        let plan = GatherPlan(inputShape: shape, indexShape: indices.shape, axis: a)
        let out = Tensor.make(shape: indices.shape) { dst in
            idx.withUnsafeBufferPointer { gatherForward(storage.base, plan, $0, dst.baseAddress!) }
        }
        let inShape = shape
        return Tensor.record("gather", out, [self]) { g, _ in
            [Tensor.make(shape: inShape) { dx in
                dx.update(repeating: 0)
                idx.withUnsafeBufferPointer { gatherBackward(g.storage.base, plan, $0, dx.baseAddress!) }
            }]
        }
    }

    /// The entries at `indices` along `axis`, which is replaced by the indices' shape:
    /// [A, n, B] with indices [K] → [A, K, B]; with indices [P, Q] → [A, P, Q, B]; with a scalar → [A, B].
    /// Indices are integers stored as floats and may repeat. Records; d = g scatter-added back (deterministic).
    public func indexSelect(axis: Int, indices: Tensor) -> Tensor {
        let a = normalizedAxis(axis, "indexSelect")
        let idx = indices.indexValues("indexSelect", bound: shape[a])
        let (outer, n, inner) = split(around: a)
        let outShape = Array(shape[..<a]) + indices.shape + Array(shape[(a + 1)...])
        let out = Tensor.make(shape: outShape) { dst in
            idx.withUnsafeBufferPointer {
                indexSelectForward(storage.base, outer: outer, n: n, inner: inner, $0, dst.baseAddress!)
            }
        }
        let inShape = shape
        return Tensor.record("index_select", out, [self]) { g, _ in
            [Tensor.make(shape: inShape) { dx in
                dx.update(repeating: 0)
                idx.withUnsafeBufferPointer {
                    indexSelectBackward(g.storage.base, outer: outer, n: n, inner: inner, $0, dx.baseAddress!)
                }
            }]
        }
    }

    /// Rows (entries along axis 0) at the given positions, in that order: [N, ...] → [indices.count, ...]. Records.
    public func rows(_ indices: [Int]) -> Tensor {
        indexSelect(axis: 0, indices: Tensor([indices.count], indices.map(Float.init)))
    }

    /// Embedding lookup on this table [V, D]: ids (integers as floats) of any shape S → [S..., D].
    /// Records; the table's gradient adds g's rows at their ids (repeated ids accumulate).
    public func embedding(_ ids: Tensor) -> Tensor {
        precondition(rank == 2, "embedding: table must be [V, D], got \(shape)")
        return indexSelect(axis: 0, indices: ids)
    }
}

/// Message passing by hand: gather node rows onto edges, and reduce edge rows onto nodes (scatter).
///
///     let src = adjacency.pattern.colIndex, dst = adjacency.pattern.rowIndex
///     let messages = h.gatherRows(at: src) * gate          // [E, F]
///     let aggregated = messages.segmentMean(by: dst)       // [N, F]
extension Tensor {
    /// Rows of this tensor [N, F...] at each item's segment: out[e] = self[index.segments[e]] → [E, F...], with
    /// N = `index.segmentCount`. Records; d = g scatter-added back onto the rows (`segmentSum`), deterministic.
    public func gatherRows(at index: SegmentIndex) -> Tensor {
        precondition(rank >= 1 && shape[0] == index.segmentCount,
                     "gatherRows: input \(shape) for an index over \(index.segmentCount) segments")
        let width = count / Swift.max(shape[0], 1)
        let out = Tensor.make(shape: [index.count] + shape.dropFirst()) { o in
            index.segments.withUnsafeBufferPointer { s in
                guard let s = s.baseAddress else { return }
                gatherRowsForward(count: index.count, storage.base, s, width: width, o.baseAddress!)
            }
        }
        return Tensor.record("gather_rows", out, [self]) { g, _ in [g.segmentSum(by: index)] }
    }

    /// Scatter-add onto segments: rows of this tensor [E, F...] summed per segment, out[s] = Σ_{e in s} self[e]
    /// → [S, F...]; empty segments are 0. Each segment sums its items in item order (deterministic). Records;
    /// d = g gathered back to the items (`gatherRows`).
    public func segmentSum(by index: SegmentIndex) -> Tensor {
        precondition(rank >= 1 && shape[0] == index.count,
                     "segmentSum: input \(shape) for an index over \(index.count) items")
        let width = count / Swift.max(shape[0], 1)
        let out = Tensor.make(shape: [index.segmentCount] + shape.dropFirst()) { o in
            index.withPointers { _, offsets, order in
                segmentedAccumulate(segments: index.segmentCount, offsets: offsets, gather: order, weights: nil,
                                    storage.base, width: width, o.baseAddress!)
            }
        }
        return Tensor.record("segment_sum", out, [self]) { g, _ in [g.gatherRows(at: index)] }
    }

    /// Mean of the rows of this tensor [E, F...] per segment → [S, F...]; empty segments are 0. Composite:
    /// `segmentSum` scaled by a constant 1/count per segment.
    public func segmentMean(by index: SegmentIndex) -> Tensor {
        let inverse = Tensor([index.segmentCount] + Array(repeating: 1, count: Swift.max(rank - 1, 0)),
                             index.itemCounts.map { $0 > 0 ? 1 / Float($0) : 0 })
        return segmentSum(by: index) * inverse
    }

    /// Element-wise maximum of the rows of this tensor [E, F...] per segment → [S, F...]; empty segments are 0.
    /// Records; the gradient of each output element goes to the item that attained it (the first on ties).
    public func segmentMax(by index: SegmentIndex) -> Tensor {
        precondition(rank >= 1 && shape[0] == index.count,
                     "segmentMax: input \(shape) for an index over \(index.count) items")
        let width = count / Swift.max(shape[0], 1)
        var argmax = [Int32](repeating: -1, count: index.segmentCount * width)
        let out = Tensor.make(shape: [index.segmentCount] + shape.dropFirst()) { o in
            index.withPointers { _, offsets, order in
                argmax.withUnsafeMutableBufferPointer { a in
                    guard let a = a.baseAddress else { return }
                    segmentMaxForward(segments: index.segmentCount, offsets: offsets, order: order, storage.base,
                                      width: width, o.baseAddress!, argmax: a)
                }
            }
        }
        let inShape = shape, saved = argmax
        return Tensor.record("segment_max", out, [self]) { g, _ in
            [Tensor.make(shape: inShape) { dx in
                dx.update(repeating: 0)
                saved.withUnsafeBufferPointer { a in
                    guard let a = a.baseAddress else { return }
                    segmentMaxBackward(segments: index.segmentCount, g.storage.base, argmax: a,
                                       width: width, dx.baseAddress!)
                }
            }]
        }
    }
}

/// Kernels of sparse × dense products and segment (scatter) reductions over rows of width `width`.
///
/// Every output row is produced by one thread, which visits its items in a fixed order, so results are
/// bit-identical whatever the thread count and no atomics are needed.

/// out[r, :] = Σ w[e]·x[src(e), :] over the items e of segment r, for every r in `0..<segments`.
///
/// Segment r's items are `order[k]` (or k itself when `order` is nil) for k in `offsets[r]..<offsets[r + 1]`;
/// `src(e)` is `gather[e]` (or e when nil) and w[e] is `weights[e]` (or 1 when nil). This one loop is SpMM
/// (segments = CSR rows, gather = columns, weights = values), its transpose (segments = columns in CSC order,
/// gather = rows) and the plain segment sum (no gather, no weights).
package func segmentedAccumulate(
    segments: Int, offsets: UnsafePointer<Int>, order: UnsafePointer<Int32>?, gather: UnsafePointer<Int32>?,
    weights: UnsafePointer<Float>?, _ x: UnsafePointer<Float>, width: Int, _ out: UnsafeMutablePointer<Float>
) {
    guard segments > 0, width > 0 else { return }
    let items = offsets[segments] - offsets[0]
    let perSegment = Swift.max(1, items / segments) * width
    parallelFor(segments, grain: Swift.max(1, parallelGrain / Swift.max(perSegment, 1))) { r in
        for s in r {
            let o = out + s * width
            o.update(repeating: 0, count: width)
            for k in offsets[s]..<offsets[s + 1] {
                let e = order.map { Int($0[k]) } ?? k
                let src = x + (gather.map { Int($0[e]) } ?? e) * width
                if let weights {
                    let w = weights[e]
                    for j in 0..<width { o[j] += w * src[j] }
                } else {
                    for j in 0..<width { o[j] += src[j] }
                }
            }
        }
    }
}

/// d[e] = ⟨a[rowA[e], :], b[rowB[e], :]⟩ for every entry e (SDDMM: the gradient of SpMM's values).
package func rowPairDots(
    count: Int, _ a: UnsafePointer<Float>, _ rowA: UnsafePointer<Int32>, _ b: UnsafePointer<Float>,
    _ rowB: UnsafePointer<Int32>, width: Int, _ d: UnsafeMutablePointer<Float>
) {
    parallelFor(count, grain: Swift.max(1, parallelGrain / Swift.max(width, 1))) { r in
        for e in r {
            let pa = a + Int(rowA[e]) * width, pb = b + Int(rowB[e]) * width
            var s: Float = 0
            for j in 0..<width { s += pa[j] * pb[j] }
            d[e] = s
        }
    }
}

/// out[e, :] = x[index[e], :] for `count` rows.
package func gatherRowsForward(
    count: Int, _ x: UnsafePointer<Float>, _ index: UnsafePointer<Int32>, width: Int, _ out: UnsafeMutablePointer<Float>
) {
    guard width > 0 else { return }
    parallelFor(count, grain: Swift.max(1, parallelGrain / width)) { r in
        for e in r { (out + e * width).update(from: x + Int(index[e]) * width, count: width) }
    }
}

/// out[s, j] = max of x[e, j] over the items e of segment s (0 for an empty segment), and `argmax[s, j]` the item
/// that gave it (the first on ties; −1 for an empty segment). A NaN wins over numbers.
package func segmentMaxForward(
    segments: Int, offsets: UnsafePointer<Int>, order: UnsafePointer<Int32>?, _ x: UnsafePointer<Float>, width: Int,
    _ out: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>
) {
    guard segments > 0, width > 0 else { return }
    parallelFor(segments, grain: Swift.max(1, parallelGrain / Swift.max(width * 8, 1))) { r in
        for s in r {
            let o = out + s * width, a = argmax + s * width
            if offsets[s] == offsets[s + 1] {
                o.update(repeating: 0, count: width)
                a.update(repeating: -1, count: width)
                continue
            }
            for k in offsets[s]..<offsets[s + 1] {
                let e = order.map { Int($0[k]) } ?? k
                let src = x + e * width
                if k == offsets[s] {
                    o.update(from: src, count: width)
                    a.update(repeating: Int32(e), count: width)
                    continue
                }
                for j in 0..<width where src[j] > o[j] || (src[j].isNaN && !o[j].isNaN) {
                    o[j] = src[j]
                    a[j] = Int32(e)
                }
            }
        }
    }
}

/// dx[argmax[s, j], j] = g[s, j] into a zeroed dx [items, width]: each item belongs to one segment, so the writes
/// of different segments never meet.
package func segmentMaxBackward(
    segments: Int, _ g: UnsafePointer<Float>, argmax: UnsafePointer<Int32>, width: Int, _ dx: UnsafeMutablePointer<Float>
) {
    guard width > 0 else { return }
    parallelFor(segments, grain: Swift.max(1, parallelGrain / width)) { r in
        for s in r {
            for j in 0..<width {
                let e = Int(argmax[s * width + j])
                if e >= 0 { dx[e * width + j] = g[s * width + j] }
            }
        }
    }
}

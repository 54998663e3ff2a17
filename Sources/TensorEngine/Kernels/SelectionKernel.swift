/// Ascending order on floats with NaN above everything (torch's sort order): a strict weak order even with NaNs.
@inline(__always)
package func ascends(_ a: Float, _ b: Float) -> Bool { !a.isNaN && (b.isNaN || a < b) }

/// Rearranges `buf` so that `buf[k]` holds what a sort by `less` would put there, nothing before it comes after
/// it and nothing after it comes before it (C++'s nth_element).
///
/// Introselect: quickselect with a median-of-three pivot and a three-way partition, so long runs of equal values
/// (pruned zeros) cost one pass; after too many rounds the remaining range is sorted instead, which bounds the
/// worst case at O(n log n). Expected O(n).
package func selectInPlace<T>(_ buf: UnsafeMutableBufferPointer<T>, _ k: Int, by less: (T, T) -> Bool) {
    precondition(k >= 0 && k < buf.count, "select: position \(k) outside 0..<\(buf.count)")
    var lo = 0, hi = buf.count
    var rounds = 2 * (Int.bitWidth - buf.count.leadingZeroBitCount) + 4
    while hi - lo > 16 && rounds > 0 {
        rounds -= 1
        let a = buf[lo], b = buf[lo + (hi - lo) / 2], c = buf[hi - 1]
        let pivot = less(a, b) ? (less(b, c) ? b : (less(a, c) ? c : a)) : (less(a, c) ? a : (less(b, c) ? c : b))
        // Dijkstra's partition: [lo, lt) before the pivot, [lt, gt) tied with it, [gt, hi) after it.
        var lt = lo, i = lo, gt = hi
        while i < gt {
            if less(buf[i], pivot) {
                buf.swapAt(lt, i)
                lt += 1
                i += 1
            } else if less(pivot, buf[i]) {
                gt -= 1
                buf.swapAt(i, gt)
            } else {
                i += 1
            }
        }
        if k < lt { hi = lt } else if k >= gt { lo = gt } else { return }
    }
    buf[lo..<hi].sort(by: less)
}

/// Orders every line of x viewed as [outer, n, inner] along its middle axis and writes, per line, the first `k`
/// entries in order (or only the k-th with `onlyKth`) as values and positions (floats) into [outer, w, inner]
/// outputs, w = k or 1.
///
/// Order: ascending, or descending with `descending`; NaN counts as the largest; equal values keep their original
/// order (positions break ties), so results are stable and deterministic. Uses selection when k < n.
package func orderLines(
    _ x: UnsafePointer<Float>, outer: Int, n: Int, inner: Int, descending: Bool, take k: Int, onlyKth: Bool,
    values: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Float>
) {
    precondition(k >= 1 && k <= n, "orderLines: k = \(k) for lines of \(n)")
    let w = onlyKth ? 1 : k
    parallelFor(outer * inner, grain: Swift.max(1, parallelGrain / Swift.max(n, 1))) { r in
        let v = UnsafeMutableBufferPointer<Float>.allocate(capacity: n)
        let order = UnsafeMutableBufferPointer<Int>.allocate(capacity: n)
        defer { v.deallocate(); order.deallocate() }
        let before: (Int, Int) -> Bool = { i, j in
            let a = v[i], b = v[j]
            if descending ? ascends(b, a) : ascends(a, b) { return true }
            if descending ? ascends(a, b) : ascends(b, a) { return false }
            return i < j
        }
        for line in r {
            let o = line / inner, j = line % inner
            let src = x + o * n * inner + j
            for t in 0..<n {
                v[t] = src[t * inner]
                order[t] = t
            }
            if k < n || onlyKth { selectInPlace(order, k - 1, by: before) }
            if !onlyKth { order[0..<k].sort(by: before) }
            let base = o * w * inner + j
            for t in 0..<w {
                let p = order[onlyKth ? k - 1 : t]
                values[base + t * inner] = v[p]
                indices[base + t * inner] = Float(p)
            }
        }
    }
}

/// Position (as a float) of the largest entry, or smallest with `largest` false, of every line of x viewed as
/// [outer, n, inner]; the first one on ties, NaN counting as the most extreme. Writes [outer, inner].
package func argExtremumLines(
    _ x: UnsafePointer<Float>, outer: Int, n: Int, inner: Int, largest: Bool, _ out: UnsafeMutablePointer<Float>
) {
    precondition(n > 0, "argmax/argmin: empty axis")
    parallelFor(outer * inner, grain: Swift.max(1, parallelGrain / n)) { r in
        for line in r {
            let src = x + (line / inner) * n * inner + line % inner
            var best = src[0], at = 0
            if !best.isNaN {
                for t in 1..<n {
                    let v = src[t * inner]
                    if v.isNaN || (largest ? v > best : v < best) {
                        best = v
                        at = t
                        if v.isNaN { break }
                    }
                }
            }
            out[line] = Float(at)
        }
    }
}

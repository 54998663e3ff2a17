/// How a reduction combines values.
package enum ReduceKind { case sum, max, min }

/// Reduces x viewed as [outer, n, inner] over its middle axis into out [outer, inner].
///
/// Each output is accumulated by one thread in index order, and a whole-tensor sum (outer = inner = 1) is done in
/// fixed-size blocks combined in order, so results are bit-identical whatever the thread count.
package func reduceForward(
    _ kind: ReduceKind, _ x: UnsafePointer<Float>, outer: Int, n: Int, inner: Int, _ out: UnsafeMutablePointer<Float>
) {
    if n == 0 {
        for i in 0..<(outer * inner) { out[i] = kind == .sum ? 0 : .nan }
        return
    }
    if inner == 1 {
        if outer == 1 && n >= 2 * reductionBlock && kind == .sum {
            let blocks = (n + reductionBlock - 1) / reductionBlock
            var partial = [Float](repeating: 0, count: blocks)
            partial.withUnsafeMutableBufferPointer { p in
                let pp = p.baseAddress!
                parallelFor(blocks, grain: 1) { r in
                    for b in r {
                        let lo = b * reductionBlock, hi = min(n, lo + reductionBlock)
                        pp[b] = contiguousReduce(.sum, x + lo, hi - lo)
                    }
                }
            }
            var total: Float = 0
            for v in partial { total += v }
            out[0] = total
            return
        }
        parallelFor(outer, grain: max(1, parallelGrain / max(n, 1))) { r in
            for o in r { out[o] = contiguousReduce(kind, x + o * n, n) }
        }
        return
    }
    parallelFor(outer * inner, grain: max(1, parallelGrain / max(n, 1))) { r in
        // Walk the range as (outer row, inner span) pieces so the inner loop stays contiguous.
        var i = r.lowerBound
        while i < r.upperBound {
            let o = i / inner, j0 = i % inner
            let j1 = min(inner, j0 + (r.upperBound - i))
            let dst = out + o * inner
            let src = x + o * n * inner
            for j in j0..<j1 { dst[j] = src[j] }
            for k in 1..<n {
                let row = src + k * inner
                switch kind {
                case .sum: for j in j0..<j1 { dst[j] += row[j] }
                case .max: for j in j0..<j1 where row[j] > dst[j] || row[j].isNaN { dst[j] = row[j] }
                case .min: for j in j0..<j1 where row[j] < dst[j] || row[j].isNaN { dst[j] = row[j] }
                }
            }
            i += j1 - j0
        }
    }
}

/// Sum, max or min of `n` contiguous values (sum with 8 independent accumulators so it vectorises).
@inline(__always)
package func contiguousReduce(_ kind: ReduceKind, _ x: UnsafePointer<Float>, _ n: Int) -> Float {
    switch kind {
    case .sum:
        var acc = SIMD8<Float>(repeating: 0)
        var i = 0
        let raw = UnsafeRawPointer(x)
        while i + 8 <= n {
            acc += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        var s = acc.sum()
        while i < n { s += x[i]; i += 1 }
        return s
    case .max:
        guard n > 0 else { return .nan }
        var m = x[0]
        for i in 1..<n where x[i] > m || x[i].isNaN { m = x[i] }
        return m
    case .min:
        guard n > 0 else { return .nan }
        var m = x[0]
        for i in 1..<n where x[i] < m || x[i].isNaN { m = x[i] }
        return m
    }
}

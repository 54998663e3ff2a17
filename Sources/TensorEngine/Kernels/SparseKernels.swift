/// Kernels of sparse × dense products and segment (scatter) reductions over rows of width `width`.
///
/// Every output row is produced by one thread, which visits its items in a fixed order, so results are
/// bit-identical whatever the thread count and no atomics are needed.

/// out[s, :] = Σ w[k]·x[src(k), :] over k in `offsets[s]..<offsets[s + 1]`, for every s in `0..<segments`.
///
/// `src(k)` is `gather[k]` (or k itself when nil) and w[k] is `weights[k]` (or 1 when nil). This one loop is
/// SpMM (segments = CSR rows, gather = columns, weights = values), its transpose (segments = columns, gather =
/// the rows in column order, weights = the values in that order) and the segment sum (gather = the items in
/// segment order). Rows are accumulated 16 lanes at a time.
package func segmentedAccumulate(
    segments: Int, offsets: UnsafePointer<Int>, gather: UnsafePointer<Int32>?, weights: UnsafePointer<Float>?,
    _ x: UnsafePointer<Float>, width: Int, _ out: UnsafeMutablePointer<Float>
) {
    guard segments > 0, width > 0 else { return }
    let items = offsets[segments] - offsets[0]
    let perSegment = Swift.max(1, items / segments) * width
    parallelFor(segments, grain: Swift.max(1, parallelGrain / Swift.max(perSegment, 1))) { r in
        for s in r {
            let o = out + s * width
            o.update(repeating: 0, count: width)
            // Two items per step: two independent row loads in flight and half the stores to the output row.
            var k = offsets[s]
            let end = offsets[s + 1]
            while k + 2 <= end {
                let r0 = gather.map { Int($0[k]) } ?? k, r1 = gather.map { Int($0[k + 1]) } ?? k + 1
                axpy2(weights?[k] ?? 1, x + r0 * width, weights?[k + 1] ?? 1, x + r1 * width, o, width)
                k += 2
            }
            if k < end { axpy(weights?[k] ?? 1, x + (gather.map { Int($0[k]) } ?? k) * width, o, width) }
        }
    }
}

/// y[0..<n] += a·x[0..<n] + b·z[0..<n], sixteen lanes at a time (y overlaps neither x nor z).
@inline(__always)
private func axpy2(
    _ a: Float, _ x: UnsafePointer<Float>, _ b: Float, _ z: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
    _ n: Int
) {
    let rx = UnsafeRawPointer(x), rz = UnsafeRawPointer(z), ry = UnsafeMutableRawPointer(y)
    let va = SIMD16<Float>(repeating: a), vb = SIMD16<Float>(repeating: b)
    var j = 0
    while j + 16 <= n {
        let v = ry.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
            + (va * rx.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
               + vb * rz.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self))
        ry.storeBytes(of: v, toByteOffset: j * 4, as: SIMD16<Float>.self)
        j += 16
    }
    while j < n {
        y[j] += a * x[j] + b * z[j]
        j += 1
    }
}

/// y[0..<n] += a·x[0..<n], sixteen lanes at a time (x and y do not overlap).
@inline(__always)
private func axpy(_ a: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    let rx = UnsafeRawPointer(x), ry = UnsafeMutableRawPointer(y)
    let va = SIMD16<Float>(repeating: a)
    var j = 0
    while j + 16 <= n {
        let v = ry.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
            + va * rx.loadUnaligned(fromByteOffset: j * 4, as: SIMD16<Float>.self)
        ry.storeBytes(of: v, toByteOffset: j * 4, as: SIMD16<Float>.self)
        j += 16
    }
    while j < n {
        y[j] += a * x[j]
        j += 1
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

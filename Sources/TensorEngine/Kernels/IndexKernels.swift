/// Copies `shape` elements from `src` (strides `srcStrides`) to `dst` (strides `dstStrides`), in elements.
/// Slicing reads a strided block into a contiguous buffer; padding and slice gradients write one into a bigger one.
package func stridedTransfer(
    from src: UnsafePointer<Float>, strides srcStrides: [Int], to dst: UnsafeMutablePointer<Float>,
    strides dstStrides: [Int], shape: [Int]
) {
    let total = Tensor.elementCount(shape)
    guard total > 0 else { return }
    let (dims, st) = coalesce(shape, [srcStrides, dstStrides])
    let inner = dims.last!, si = st[0].last!, di = st[1].last!
    parallelFor(total / inner, grain: max(1, parallelGrain / inner)) { r in
        for row in r {
            var rem = row, so = 0, doff = 0
            var d = dims.count - 2
            while d >= 0 {
                let idx = rem % dims[d]
                rem /= dims[d]
                so += idx * st[0][d]
                doff += idx * st[1][d]
                d -= 1
            }
            let s = src + so, o = dst + doff
            if si == 1 && di == 1 {
                o.update(from: s, count: inner)
            } else {
                for i in 0..<inner { o[i * di] = s[i * si] }
            }
        }
    }
}

/// Walks the flat range `r` of an [outer, inner] grid as (o, j0..<j1) pieces, so inner loops stay contiguous.
@inline(__always)
package func forEachSpan(_ r: Range<Int>, inner: Int, _ body: (_ o: Int, _ js: Range<Int>) -> Void) {
    var i = r.lowerBound
    while i < r.upperBound {
        let o = i / inner, j0 = i % inner
        let j1 = min(inner, j0 + (r.upperBound - i))
        body(o, j0..<j1)
        i += j1 - j0
    }
}

/// Index-select over x viewed as [outer, n, inner]: out[o, k, :] = x[o, idx[k], :], out is [outer, K, inner].
package func indexSelectForward(
    _ x: UnsafePointer<Float>, outer: Int, n: Int, inner: Int, _ idx: UnsafeBufferPointer<Int>,
    _ out: UnsafeMutablePointer<Float>
) {
    let k = idx.count
    guard inner > 0 else { return }
    parallelFor(outer * k, grain: max(1, parallelGrain / inner)) { r in
        for row in r {
            let o = row / k, t = row % k
            (out + row * inner).update(from: x + (o * n + idx[t]) * inner, count: inner)
        }
    }
}

/// Scatter-add for index-select: dx[o, idx[k], :] += g[o, k, :] into a zeroed dx [outer, n, inner].
///
/// Each destination column (o, j) is owned by one thread and accumulated in k order, so repeated indices sum
/// the same way whatever the thread count.
package func indexSelectBackward(
    _ g: UnsafePointer<Float>, outer: Int, n: Int, inner: Int, _ idx: UnsafeBufferPointer<Int>,
    _ dx: UnsafeMutablePointer<Float>
) {
    let k = idx.count
    guard inner > 0 else { return }
    parallelFor(outer * inner, grain: max(1, parallelGrain / max(k, 1))) { r in
        forEachSpan(r, inner: inner) { o, js in
            for t in 0..<k {
                let dst = dx + (o * n + idx[t]) * inner, src = g + (o * k + t) * inner
                for j in js { dst[j] += src[j] }
            }
        }
    }
}

/// Where gather reads from: the index tensor (and output) viewed as [outer, m, inner] around the axis, with the
/// input offset of every outer and inner position (the index may be smaller than the input off the axis).
package struct GatherPlan: Sendable {
    package let outer: Int, m: Int, inner: Int
    package let axisStride: Int
    package let outerOffsets: [Int], innerOffsets: [Int]

    package init(inputShape: [Int], indexShape: [Int], axis: Int) {
        let st = Tensor.strides(of: inputShape)
        outer = indexShape[..<axis].reduce(1, *)
        m = indexShape[axis]
        inner = indexShape[(axis + 1)...].reduce(1, *)
        axisStride = st[axis]
        outerOffsets = Self.offsets(Array(indexShape[..<axis]), Array(st[..<axis]))
        innerOffsets = Self.offsets(Array(indexShape[(axis + 1)...]), Array(st[(axis + 1)...]))
    }

    /// Offsets of every multi-index of `dims` (row-major) under `strides`.
    private static func offsets(_ dims: [Int], _ strides: [Int]) -> [Int] {
        var out = [0]
        for (d, s) in zip(dims, strides) {
            out = out.flatMap { base in (0..<d).map { base + $0 * s } }
        }
        return out
    }
}

/// torch.gather: out[p] = x[p with its axis coordinate replaced by idx[p]]; out and idx share the index shape.
package func gatherForward(
    _ x: UnsafePointer<Float>, _ plan: GatherPlan, _ idx: UnsafeBufferPointer<Int>, _ out: UnsafeMutablePointer<Float>
) {
    let (m, inner, stride) = (plan.m, plan.inner, plan.axisStride)
    guard inner > 0 else { return }
    plan.outerOffsets.withUnsafeBufferPointer { oo in
        plan.innerOffsets.withUnsafeBufferPointer { io in
            parallelFor(plan.outer * inner, grain: max(1, parallelGrain / max(m, 1))) { r in
                forEachSpan(r, inner: inner) { o, js in
                    for t in 0..<m {
                        let row = (o * m + t) * inner
                        for j in js { out[row + j] = x[oo[o] + idx[row + j] * stride + io[j]] }
                    }
                }
            }
        }
    }
}

/// Scatter-add for gather into a zeroed dx of the input shape. Each (outer, inner) line of the index owns a
/// distinct line of dx and accumulates along the axis in order: deterministic for any thread count.
package func gatherBackward(
    _ g: UnsafePointer<Float>, _ plan: GatherPlan, _ idx: UnsafeBufferPointer<Int>, _ dx: UnsafeMutablePointer<Float>
) {
    let (m, inner, stride) = (plan.m, plan.inner, plan.axisStride)
    guard inner > 0 else { return }
    plan.outerOffsets.withUnsafeBufferPointer { oo in
        plan.innerOffsets.withUnsafeBufferPointer { io in
            parallelFor(plan.outer * inner, grain: max(1, parallelGrain / max(m, 1))) { r in
                forEachSpan(r, inner: inner) { o, js in
                    for t in 0..<m {
                        let row = (o * m + t) * inner
                        for j in js { dx[oo[o] + idx[row + j] * stride + io[j]] += g[row + j] }
                    }
                }
            }
        }
    }
}

/// Kernels of masked softmax and of multi-head attention over a packed [B, T, 3·D] projection.

/// Keys visible to query row `i` of a [T, S] score block: all S, or with a causal mask those up to i + (S − T)
/// (queries are the last T positions of the S keys, which is what a KV cache gives).
@inline(__always)
package func visibleKeys(query i: Int, queries t: Int, keys s: Int, causal: Bool) -> Int {
    causal ? Swift.min(s, Swift.max(0, i + s - t + 1)) : s
}

/// One row: y[j] = exp(scale·x[j] − m) / Σ over the `visible` first entries, 0 beyond. An empty row is all 0.
/// `y` may alias `x`.
@inline(__always)
package func maskedSoftmaxRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, n: Int, visible: Int, scale: Float) {
    let m = scale >= 0 ? scale * rowMax(x, visible) : -scale * rowMax(x, visible, negated: true)
    // Exponentials and their sum in one sweep (eight lanes, fixed order), then one scaling sweep.
    let rx = UnsafeRawPointer(x), ry = UnsafeMutableRawPointer(y)
    var acc = SIMD8<Float>(repeating: 0)
    var j = 0
    while j + 8 <= visible {
        let e = fastExp(scale * rx.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self) - m)
        ry.storeBytes(of: e, toByteOffset: j * 4, as: SIMD8<Float>.self)
        acc += e
        j += 8
    }
    var s = acc.sum()
    while j < visible {
        y[j] = fastExp(scale * x[j] - m)
        s += y[j]
        j += 1
    }
    let inv = s > 0 ? 1 / s : 0
    for j in 0..<visible { y[j] *= inv }
    for j in visible..<n { y[j] = 0 }
}

/// One row of the backward pass: dx[j] = scale·y[j]·(g[j] − Σₖ g[k]·y[k]) over the visible entries, 0 beyond.
/// `dx` may alias `g`.
@inline(__always)
package func maskedSoftmaxRowBackward(
    _ g: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, n: Int, visible: Int,
    scale: Float
) {
    let dot = rowDot(g, y, visible)
    let rg = UnsafeRawPointer(g), ry = UnsafeRawPointer(y), rd = UnsafeMutableRawPointer(dx)
    var j = 0
    while j + 8 <= visible {
        let v = scale * ry.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self)
            * (rg.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self) - dot)
        rd.storeBytes(of: v, toByteOffset: j * 4, as: SIMD8<Float>.self)
        j += 8
    }
    while j < visible {
        dx[j] = scale * y[j] * (g[j] - dot)
        j += 1
    }
    for j in visible..<n { dx[j] = 0 }
}

/// max of x[0..<n] (of −x when `negated`), −∞ when n = 0; eight lanes at a time.
@inline(__always)
private func rowMax(_ x: UnsafePointer<Float>, _ n: Int, negated: Bool = false) -> Float {
    let sign: Float = negated ? -1 : 1
    var acc = SIMD8<Float>(repeating: -.infinity)
    let raw = UnsafeRawPointer(x)
    var j = 0
    while j + 8 <= n {
        let v = sign * raw.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self)
        acc.replace(with: v, where: v .> acc)
        j += 8
    }
    var m = acc.max()
    while j < n {
        m = Swift.max(m, sign * x[j])
        j += 1
    }
    return m
}

/// Σ a[j]·b[j] over j < n (Σ a[j] when b is nil), eight lanes at a time in a fixed order.
@inline(__always)
private func rowDot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>?, _ n: Int) -> Float {
    var acc = SIMD8<Float>(repeating: 0)
    let ra = UnsafeRawPointer(a)
    var j = 0
    while j + 8 <= n {
        let va = ra.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self)
        if let b {
            acc += va * UnsafeRawPointer(b).loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self)
        } else {
            acc += va
        }
        j += 8
    }
    var s = acc.sum()
    while j < n {
        s += a[j] * (b?[j] ?? 1)
        j += 1
    }
    return s
}

/// The geometry of multi-head attention over qkv [B, T, 3·D] (q, k, v side by side, each D split into H heads of
/// `dim` columns) with output [B, T, D] and probabilities [B, H, T, T].
package struct AttentionGeometry {
    package let batch: Int, tokens: Int, heads: Int, dim: Int
    package let causal: Bool
    package var width: Int { heads * dim }
    package var scale: Float { 1 / Float(dim).squareRoot() }
    /// Offset of head h of q (part 0), k (1) or v (2) for batch b in qkv.
    @inline(__always) package func qkv(_ b: Int, _ h: Int, part: Int) -> Int { b * tokens * 3 * width + part * width + h * dim }
    /// Offset of head h for batch b in the [B, T, D] output.
    @inline(__always) package func out(_ b: Int, _ h: Int) -> Int { b * tokens * width + h * dim }
}

/// Forward: for each (b, h) in parallel, P = softmax(mask(Q·Kᵀ·scale)) into `probs`, then Y = P·V into `y`.
package func attentionForward(
    _ g: AttentionGeometry, qkv: UnsafePointer<Float>, probs: UnsafeMutablePointer<Float>, y: UnsafeMutablePointer<Float>
) {
    let t = g.tokens, ld = 3 * g.width
    parallelFor(g.batch * g.heads, grain: 1) { r in
        for pair in r {
            let b = pair / g.heads, h = pair % g.heads
            let p = probs + pair * t * t
            gemmOnThisThread(transA: false, transB: true, m: t, n: t, k: g.dim, alpha: g.scale,
                             a: qkv + g.qkv(b, h, part: 0), lda: ld, b: qkv + g.qkv(b, h, part: 1), ldb: ld, c: p, ldc: t)
            for i in 0..<t {
                maskedSoftmaxRow(p + i * t, p + i * t, n: t, visible: visibleKeys(query: i, queries: t, keys: t, causal: g.causal),
                                 scale: 1)
            }
            gemmOnThisThread(transA: false, transB: false, m: t, n: g.dim, k: t, a: p, lda: t,
                             b: qkv + g.qkv(b, h, part: 2), ldb: ld, c: y + g.out(b, h), ldc: g.width)
        }
    }
}

/// Backward: for each (b, h) in parallel, with G = dY: dV = Pᵀ·G, dP = G·Vᵀ, dS = softmax backward of dP (scale
/// folded in), dQ = dS·K, dK = dSᵀ·Q, all written into their columns of dqkv [B, T, 3·D].
package func attentionBackward(
    _ g: AttentionGeometry, qkv: UnsafePointer<Float>, probs: UnsafePointer<Float>, dy: UnsafePointer<Float>,
    dqkv: UnsafeMutablePointer<Float>
) {
    let t = g.tokens, ld = 3 * g.width
    parallelFor(g.batch * g.heads, grain: 1) { r in
        let ds = UnsafeMutablePointer<Float>.allocate(capacity: t * t)
        defer { ds.deallocate() }
        for pair in r {
            let b = pair / g.heads, h = pair % g.heads
            let p = probs + pair * t * t, gy = dy + g.out(b, h)
            gemmOnThisThread(transA: true, transB: false, m: t, n: g.dim, k: t, a: p, lda: t, b: gy, ldb: g.width,
                             c: dqkv + g.qkv(b, h, part: 2), ldc: ld)
            gemmOnThisThread(transA: false, transB: true, m: t, n: t, k: g.dim, a: gy, lda: g.width,
                             b: qkv + g.qkv(b, h, part: 2), ldb: ld, c: ds, ldc: t)
            for i in 0..<t {
                maskedSoftmaxRowBackward(ds + i * t, p + i * t, ds + i * t, n: t,
                                         visible: visibleKeys(query: i, queries: t, keys: t, causal: g.causal),
                                         scale: g.scale)
            }
            gemmOnThisThread(transA: false, transB: false, m: t, n: g.dim, k: t, a: ds, lda: t,
                             b: qkv + g.qkv(b, h, part: 1), ldb: ld, c: dqkv + g.qkv(b, h, part: 0), ldc: ld)
            gemmOnThisThread(transA: true, transB: false, m: t, n: g.dim, k: t, a: ds, lda: t,
                             b: qkv + g.qkv(b, h, part: 0), ldb: ld, c: dqkv + g.qkv(b, h, part: 1), ldc: ld)
        }
    }
}

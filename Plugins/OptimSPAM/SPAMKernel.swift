/// SPAM's fused per-element update for one tensor at one step (scalars already formed in Double and rounded):
///
///     g ← sign(g)·√(θ·v)   where g² > θ·v          (only when `clip`; v from the previous step)
///     m ← β₁·m + (1 − β₁)·g,   v ← β₂·v + (1 − β₂)·g²
///     p ← p + step · m / (√v + ε)                    (step = −lr·√(1 − β₂ᵏ)/(1 − β₁ᵏ)·warm)
///     p ← p·(1 − lr·λ)                               (only when `decay`)
///
/// Reads p, g, m, v and writes p, m, v once each; returns how many elements it clipped.
struct SPAMKernel {
    let beta1: Float, beta2: Float, oneMinusBeta1: Float, oneMinusBeta2: Float
    let step: Float, eps: Float, threshold: Float
    let clip: Bool
    let shrink: Float
    let decay: Bool

    /// Elements per spike-check chunk: four streams of it stay in L1 between the check and the update.
    static let chunk = 512

    /// Every element of `range`; each loop is straight, so each vectorises.
    @inline(__always)
    func dense(
        _ range: Range<Int>, _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
        _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>
    ) -> Int {
        let (b1, b2, c1, c2, step, eps, theta, shrink) =
            (beta1, beta2, oneMinusBeta1, oneMinusBeta2, self.step, self.eps, threshold, self.shrink)
        let factor: Float = decay ? shrink : 1
        guard clip else {
            // p·1 is p exactly, so one loop serves both decay cases bit for bit.
            Self.plain(range, p, g, m, v, b1, b2, c1, c2, step, eps, factor)
            return 0
        }
        // Spikes are rare: a cheap compare over a cache-sized chunk finds the chunks without one, which take the
        // plain loop; only a chunk with a spike pays for the select and the extra square root. (One fused
        // select loop over everything ran the step 1.8× slower than Adam's.)
        // 32-bit counts (blocks are far below 2³¹) keep the vector lanes 32 bits wide: 64-bit halves them.
        var clipped: Int32 = 0
        var start = range.lowerBound
        while start < range.upperBound {
            let chunk = start..<Swift.min(range.upperBound, start + Self.chunk)
            if !Self.hasSpike(chunk, g, v, theta) {
                Self.plain(chunk, p, g, m, v, b1, b2, c1, c2, step, eps, factor)
            } else {
                for i in chunk {
                    let raw = g[i]
                    let vp = v[i]
                    let limit = theta * vp
                    // √ of a non-negative value: `magnitude` lets the loop vectorise (no errno path).
                    let spike = raw * raw > limit
                    let gi = spike ? Float(signOf: raw, magnitudeOf: limit.magnitude.squareRoot()) : raw
                    clipped &+= spike ? 1 : 0
                    let mi = m[i] * b1 + c1 * gi
                    let vi = vp * b2 + c2 * gi * gi
                    m[i] = mi
                    v[i] = vi
                    p[i] = (p[i] + step * mi / (vi.magnitude.squareRoot() + eps)) * factor
                }
            }
            start = chunk.upperBound
        }
        return Int(clipped)
    }

    /// Whether some gᵢ² > θ·vᵢ in `range`. A while loop with an or-reduction: the `for`-over-a-range form with a
    /// count compiled to a scalar, branching loop.
    @inline(__always)
    private static func hasSpike(
        _ range: Range<Int>, _ g: UnsafePointer<Float>, _ v: UnsafePointer<Float>, _ theta: Float
    ) -> Bool {
        var any: Int32 = 0
        var i = range.lowerBound
        while i < range.upperBound {
            let x = g[i]
            any |= x * x > theta * v[i] ? 1 : 0
            i += 1
        }
        return any != 0
    }

    /// The update without clipping: m, v, then p + step·m/(√v + ε), times `factor`.
    @inline(__always)
    private static func plain(
        _ range: Range<Int>, _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
        _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>,
        _ b1: Float, _ b2: Float, _ c1: Float, _ c2: Float, _ step: Float, _ eps: Float, _ factor: Float
    ) {
        for i in range {
            let gi = g[i]
            let mi = m[i] * b1 + c1 * gi
            let vi = v[i] * b2 + c2 * gi * gi
            m[i] = mi
            v[i] = vi
            p[i] = (p[i] + step * mi / (vi.magnitude.squareRoot() + eps)) * factor
        }
    }

    /// Only the entries where `mask` is 1; the others keep their parameter and (zero) moments.
    @inline(__always)
    func sparse(
        _ range: Range<Int>, _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
        _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>, _ mask: UnsafeMutablePointer<Float>
    ) -> Int {
        var clipped = 0
        for i in range where mask[i] != 0 {
            var gi = g[i]
            let vp = v[i]
            if clip {
                let limit = threshold * vp
                if gi * gi > limit {
                    gi = Float(signOf: gi, magnitudeOf: limit.magnitude.squareRoot())
                    clipped += 1
                }
            }
            update(i, p, gi, vp, m, v)
        }
        return clipped
    }

    @inline(__always)
    private func update(
        _ i: Int, _ p: UnsafeMutablePointer<Float>, _ gi: Float, _ vp: Float, _ m: UnsafeMutablePointer<Float>,
        _ v: UnsafeMutablePointer<Float>
    ) {
        let mi = m[i] * beta1 + oneMinusBeta1 * gi
        let vi = vp * beta2 + oneMinusBeta2 * gi * gi
        m[i] = mi
        v[i] = vi
        let q = p[i] + step * mi / (vi.magnitude.squareRoot() + eps)
        p[i] = decay ? q * shrink : q
    }
}

/// One tensor's SPAM update over a range, dense or masked, counting what it clipped.
struct SPAMChunk: BlockCounter {
    let kernel: SPAMKernel
    let p: UnsafeMutablePointer<Float>, g: UnsafePointer<Float>
    let m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>
    let mask: UnsafeMutablePointer<Float>?

    func count(_ range: Range<Int>) -> Int {
        if let mask { kernel.sparse(range, p, g, m, v, mask) } else { kernel.dense(range, p, g, m, v) }
    }
}

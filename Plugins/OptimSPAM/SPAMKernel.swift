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

    /// Every element of `range`.
    @inline(__always)
    func dense(
        _ range: Range<Int>, _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
        _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>
    ) -> Int {
        var clipped = 0
        if clip {
            for i in range {
                var gi = g[i]
                let vp = v[i]
                let limit = threshold * vp
                let spike = gi * gi > limit
                // √ of a non-negative value: `magnitude` lets the loop vectorise (no errno path).
                gi = spike ? Float(signOf: gi, magnitudeOf: limit.magnitude.squareRoot()) : gi
                clipped &+= spike ? 1 : 0
                update(i, p, gi, vp, m, v)
            }
        } else {
            for i in range { update(i, p, g[i], v[i], m, v) }
        }
        return clipped
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

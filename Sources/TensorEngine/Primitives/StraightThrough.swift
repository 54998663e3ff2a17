/// Hard masks with straight-through gradients, for score-based pruning (VPNs, HYDRA-style mask search): the forward
/// pass is a 0/1 step, the backward pass treats the step as the identity so the scores still learn.
extension Tensor {
    /// The step 1[x > τ] elementwise (0 or 1, same shape), with a straight-through backward: the incoming gradient
    /// passes through unchanged, dx = g, as if the step were the identity. Records on the graph.
    public func straightThroughThreshold(_ tau: Float) -> Tensor {
        let x = self
        let out = Tensor.make(shape: shape) { y in
            let src = x.storage.base, dst = y.baseAddress!
            parallelFor(y.count) { r in
                for i in r { dst[i] = src[i] > tau ? 1 : 0 }
            }
        }
        // Straight-through: d/dx 1[x > τ] is taken to be 1, so dx = g.
        return Tensor.record("straight_through_threshold", out, [x]) { g, _ in [g] }
    }

    /// The mask 1[|s| > τ] of a score tensor s (VPN's `m`), composite: `abs()` then `straightThroughThreshold(τ)`,
    /// so ds = sign(s)·g; with w_eff = w ⊙ m this gives ∂L/∂s = sign(s) ⊙ w ⊙ ∂L/∂w_eff. Records on the graph.
    public func magnitudeMask(threshold tau: Float) -> Tensor { abs().straightThroughThreshold(tau) }
}

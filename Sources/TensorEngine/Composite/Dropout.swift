extension Tensor {
    /// Inverted dropout: when `training`, each element is zeroed with probability `p` and the rest are scaled by
    /// 1/(1 − p), so the expectation is unchanged; otherwise the identity (and no randomness is drawn). Composite:
    /// a product with a constant mask, so dx = g·mask.
    public func dropout(probability p: Float, training: Bool, using rng: inout RandomGenerator) -> Tensor {
        precondition(p >= 0 && p <= 1, "dropout: probability \(p) outside [0, 1]")
        guard training && p > 0 else { return self }
        return self * Tensor.keepMask(shape, keep: 1 - p, using: &rng)
    }

    /// Drop-path (stochastic depth) for a residual branch x [N, …]: when `training`, each sample's whole branch is
    /// zeroed with probability `p` and kept samples are scaled by 1/(1 − p) (timm's `drop_path`); otherwise the
    /// identity. Composite: a product with a constant [N, 1, …] mask.
    public func dropPath(probability p: Float, training: Bool, using rng: inout RandomGenerator) -> Tensor {
        precondition(p >= 0 && p <= 1, "dropPath: probability \(p) outside [0, 1]")
        precondition(rank >= 1, "dropPath: input must have a batch dimension, got \(shape)")
        guard training && p > 0 else { return self }
        let maskShape = [shape[0]] + Array(repeating: 1, count: rank - 1)
        return self * Tensor.keepMask(maskShape, keep: 1 - p, using: &rng)
    }

    /// 1/keep with probability `keep`, else 0 (all zeros when keep is 0).
    private static func keepMask(_ shape: [Int], keep: Float, using rng: inout RandomGenerator) -> Tensor {
        let scale = keep > 0 ? 1 / keep : 0
        return make(shape: shape) { out in
            let m = out.baseAddress!
            rng.fillUniform(out.count) { i, u in m[i] = u < keep ? scale : 0 }
        }
    }
}

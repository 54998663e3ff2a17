extension Tensor {
    /// Mean cross-entropy of logits [N, C] against integer class targets (stored as floats, [N]).
    ///
    /// Optional per-class `weights` [C] and `labelSmoothing` ε follow PyTorch: the target distribution is
    /// (1−ε)·onehot + ε/C, each class term is scaled by its weight, and the mean divides by Σ weight[target].
    public func crossEntropy(targets: Tensor, weights: Tensor? = nil, labelSmoothing: Float = 0) -> Tensor {
        precondition(rank == 2, "crossEntropy: logits must be [N, C], got \(shape)")
        let n = shape[0], c = shape[1]
        precondition(targets.count == n, "crossEntropy: \(targets.count) targets for \(n) rows")
        if let weights { precondition(weights.count == c, "crossEntropy: \(weights.count) weights for \(c) classes") }
        // The common case as one fused primitive; the composite below is its reference.
        if weights == nil && labelSmoothing == 0 { return fusedCrossEntropy(targets: targets) }
        // The per-element coefficient table W[i, c] is a constant: the gradient flows only through log-softmax.
        var denominator: Float = 0
        let coefficients = Tensor.make(shape: [n, c]) { w in
            let t = targets.storage.base
            let cw = weights?.storage.base
            let off = labelSmoothing / Float(c)
            for i in 0..<n {
                let y = Int(t[i])
                precondition(y >= 0 && y < c, "crossEntropy: target \(t[i]) at row \(i) outside 0..<\(c)")
                denominator += cw?[y] ?? 1
                for k in 0..<c {
                    let q = (k == y ? 1 - labelSmoothing : 0) + off
                    w[i * c + k] = q * (cw?[k] ?? 1)
                }
            }
        }
        return -(logSoftmax(axis: 1) * coefficients).sum() / Swift.max(denominator, Float.leastNormalMagnitude)
    }

    /// Mean cross-entropy against soft targets [N, C] (rows are distributions): −mean_i Σ_c q_ic·log p_ic.
    public func softCrossEntropy(targets q: Tensor) -> Tensor {
        precondition(shape == q.shape, "softCrossEntropy: logits \(shape) and targets \(q.shape)")
        return -(logSoftmax(axis: -1) * q).sum() / Float(Swift.max(shape[0], 1))
    }

    /// Mean squared error.
    public func mseLoss(_ target: Tensor) -> Tensor {
        let d = self - target
        return (d * d).mean()
    }
}

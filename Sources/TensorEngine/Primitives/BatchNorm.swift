/// What a batch-norm call normalises with, and whether it updates the running statistics.
public enum BatchNormMode: Sendable {
    /// Normalise with this batch's mean and biased variance; update the running statistics.
    case train
    /// Normalise with the running statistics; update nothing.
    case eval
    /// Statistics only: update the running statistics from this batch, but normalise with the running statistics
    /// as they were before it, so outputs (and gradients) are exactly those of `.eval`. For PyTorch's BN-update
    /// procedure (each layer sees batch-normalised inputs while re-estimating), run `.train` without gradients
    /// after resetting the statistics, with `momentum: nil` for a cumulative average.
    case recalibrate
}

/// The running statistics of a batch-norm layer: PyTorch's `running_mean`, `running_var` and
/// `num_batches_tracked`.
public struct BatchNormStatistics {
    /// Running mean [C].
    public var mean: Tensor
    /// Running unbiased variance [C].
    public var variance: Tensor
    /// Batches folded in so far (`.train` and `.recalibrate` calls); drives the cumulative average.
    public var batchesTracked: Int

    /// Fresh statistics: mean 0, variance 1, no batches.
    public init(channels: Int) {
        self.init(mean: .zeros([channels]), variance: .ones([channels]))
    }

    /// Statistics from saved values (a checkpoint, a sliced layer): mean and variance [C].
    public init(mean: Tensor, variance: Tensor, batchesTracked: Int = 0) {
        precondition(mean.rank == 1 && variance.shape == mean.shape,
                     "BatchNormStatistics: mean \(mean.shape) and variance \(variance.shape) must both be [C]")
        self.mean = mean.detached()
        self.variance = variance.detached()
        self.batchesTracked = batchesTracked
    }
}

extension Tensor {
    /// Batch normalisation of x [N, C, …] (BatchNorm1d/2d) per channel: y = (x − μ)/√(σ² + eps)·weight + bias, with
    /// optional affine weight and bias [C]. `.train` takes μ and the biased σ² from the batch and folds the batch
    /// into `statistics` as PyTorch does: running = (1 − momentum)·running + momentum·batch, with the unbiased
    /// variance (n/(n − 1)·σ²); `momentum: nil` is a cumulative average. `.eval` uses the running statistics.
    /// Records on the graph with a fused backward; in `.train`
    /// dx = weight·invstd·(g − mean(g) − x̂·mean(g·x̂)), dweight = Σ g·x̂, dbias = Σ g (means per channel).
    public func batchNorm(
        weight: Tensor?, bias: Tensor?, statistics: inout BatchNormStatistics, mode: BatchNormMode,
        momentum: Float? = 0.1, eps: Float = 1e-5
    ) -> Tensor {
        let x = self
        precondition(rank >= 2, "batchNorm: input must be [N, C, …], got \(shape)")
        let batch = shape[0], channels = shape[1], plane = shape[2...].reduce(1, *)
        let count = batch * plane
        for (name, t) in [("weight", weight), ("bias", bias), ("running mean", statistics.mean),
                          ("running variance", statistics.variance)] {
            if let t { precondition(t.shape == [channels], "batchNorm: \(name) \(t.shape) for input \(shape)") }
        }
        precondition(mode == .eval || count > 1, "batchNorm: training needs more than one value per channel, input \(shape)")

        // The batch's statistics (unless evaluating) and the ones this call normalises with.
        let batchMoments = mode == .eval ? nil : Tensor.channelMoments(x)
        let (mu, variance) = mode == .train ? batchMoments! : (statistics.mean, statistics.variance)
        if let (batchMean, batchVariance) = batchMoments {
            statistics.batchesTracked += 1
            let f = momentum ?? 1 / Float(statistics.batchesTracked)
            let unbiased = Float(count) / Float(count - 1)
            statistics.mean = Tensor([channels], zip(statistics.mean.scalars, batchMean.scalars).map { (1 - f) * $0 + f * $1 })
            statistics.variance = Tensor(
                [channels], zip(statistics.variance.scalars, batchVariance.scalars).map { (1 - f) * $0 + f * unbiased * $1 })
        }

        // y = scale·x + shift per channel, scale = weight·invstd, shift = bias − μ·scale.
        let invstd = (0..<channels).map { 1 / (variance.storage.base[$0] + eps).squareRoot() }
        let scale = (0..<channels).map { c in invstd[c] * (weight?.storage.base[c] ?? 1) }
        let shift = (0..<channels).map { c in (bias?.storage.base[c] ?? 0) - mu.storage.base[c] * scale[c] }
        let out = Tensor.make(shape: shape) { y in
            channelAffine(x.storage.base, scale, nil, scale, shift, batch: batch, channels: channels, plane: plane,
                          y.baseAddress!)
        }
        var inputs = [x]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        let usesBatch = mode == .train
        return Tensor.record("batch_norm", out, inputs) { g, needs in
            // Σg and Σg·(x − μ) per channel serve all three gradients.
            var sumG = [Float](repeating: 0, count: channels), sumGX = sumG
            channelGradientSums(g.storage.base, x.storage.base, mean: mu.storage.base, batch: batch,
                                channels: channels, plane: plane, sumG: &sumG, sumGX: &sumGX)
            var grads: [Tensor?] = [nil]
            if needs[0] {
                // Train: dx = scale·(g − Σg/n − (x − μ)·invstd²·Σg(x − μ)/n) = scale·g + p·x + q per channel.
                // Eval (statistics are constants): dx = scale·g.
                var p = [Float](repeating: 0, count: channels), q = p
                if usesBatch {
                    for c in 0..<channels {
                        let n = Float(count), k = scale[c]
                        p[c] = -k * invstd[c] * invstd[c] * sumGX[c] / n
                        q[c] = -k * sumG[c] / n - p[c] * mu.storage.base[c]
                    }
                }
                grads[0] = Tensor.make(shape: x.shape) { dx in
                    channelAffine(g.storage.base, scale, usesBatch ? x.storage.base : nil, p, q, batch: batch,
                                  channels: channels, plane: plane, dx.baseAddress!)
                }
            }
            if weight != nil {
                grads.append(needs[1] ? Tensor([channels], (0..<channels).map { sumGX[$0] * invstd[$0] }) : nil)
            }
            if bias != nil { grads.append(needs[grads.count] ? Tensor([channels], sumG) : nil) }
            return grads
        }
    }

    /// Per-channel mean and biased variance of x [N, C, …], unrecorded.
    private static func channelMoments(_ x: Tensor) -> (Tensor, Tensor) {
        let channels = x.shape[1]
        var variance = Tensor.zeros([channels])
        var mean = Tensor.zeros([channels])
        mean.withUnsafeMutableElements { m in
            variance.withUnsafeMutableElements { v in
                TensorEngine.channelMoments(x.storage.base, batch: x.shape[0], channels: channels,
                                            plane: x.shape[2...].reduce(1, *), mean: m.baseAddress!, variance: v.baseAddress!)
            }
        }
        return (mean, variance)
    }
}

public import TensorEngine

/// Batch normalisation per channel of `[N, C, …]` (`torch.nn.BatchNorm2d`, and `BatchNorm1d` on `[N, C]`), with
/// PyTorch's names: parameters `weight`, `bias` and buffers `running_mean`, `running_var`, `num_batches_tracked`.
///
/// The buffers are frozen `Parameter`s (see `Parameter(buffer:)`): optimizers skip them, checkpoints save and load
/// them by path. Training mode normalises with the batch statistics and folds them into the running ones; evaluation
/// mode normalises with the running statistics. `statisticsMode` overrides that choice (`.recalibrate` for a
/// statistics-only pass, `.train` with `momentum = nil` after `resetRunningStatistics()` for PyTorch's BN update).
public final class BatchNorm2d: Layer {
    /// Training mode: batch statistics, running statistics updated.
    public var isTraining = true
    /// γ `[C]`, or nil without affine parameters.
    public let weight: Parameter?
    /// β `[C]`, or nil without affine parameters.
    public let bias: Parameter?
    /// Running mean `[C]` (a buffer).
    public let runningMean: Parameter
    /// Running unbiased variance `[C]` (a buffer).
    public let runningVar: Parameter
    /// Batches folded into the running statistics, as a float scalar (a buffer).
    public let numBatchesTracked: Parameter
    /// Weight of the newest batch in the running statistics; nil is a cumulative average.
    public var momentum: Float?
    /// Added to the variance.
    public var eps: Float
    /// When set, used instead of the mode `isTraining` implies.
    public var statisticsMode: BatchNormMode?

    /// γ = 1, β = 0, running mean 0 and variance 1, as PyTorch initialises them.
    public init(_ channels: Int, eps: Float = 1e-5, momentum: Float? = 0.1, affine: Bool = true) {
        precondition(channels > 0, "BatchNorm2d: \(channels) channels")
        self.weight = affine ? Parameter(.ones([channels])) : nil
        self.bias = affine ? Parameter(.zeros([channels])) : nil
        self.runningMean = Parameter(buffer: .zeros([channels]))
        self.runningVar = Parameter(buffer: .ones([channels]))
        self.numBatchesTracked = Parameter(buffer: .zeros([]))
        self.eps = eps
        self.momentum = momentum
    }

    /// Channels normalised.
    public var channels: Int { runningMean.shape[0] }

    /// The running statistics as the engine's value type (copies sharing storage).
    public var statistics: BatchNormStatistics {
        BatchNormStatistics(mean: runningMean.value, variance: runningVar.value,
                            batchesTracked: Int(numBatchesTracked.value.item))
    }

    /// Mean 0, variance 1, no batches tracked.
    public func resetRunningStatistics() {
        runningMean.assign(.zeros([channels]))
        runningVar.assign(.ones([channels]))
        numBatchesTracked.assign(.zeros([]))
    }

    /// `[N, C, …]` → same shape; records on the graph (see `Tensor.batchNorm`). Updates the running statistics in
    /// `.train` and `.recalibrate` modes.
    public func forward(_ x: Tensor) -> Tensor {
        let mode = statisticsMode ?? (isTraining ? .train : .eval)
        var stats = statistics
        let y = x.batchNorm(weight: weight?.value, bias: bias?.value, statistics: &stats, mode: mode,
                            momentum: momentum, eps: eps)
        if mode != .eval {
            runningMean.assign(stats.mean)
            runningVar.assign(stats.variance)
            numBatchesTracked.assign(Tensor(Float(stats.batchesTracked)))
        }
        return y
    }
}

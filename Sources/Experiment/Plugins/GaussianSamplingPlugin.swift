public import TensorEngine
public import TensorNN

/// A plugin whose Monte Carlo sampling of a smoothed classifier others can drive directly.
///
/// Randomized-smoothing evaluators (`eval.certify`) classify many Gaussian-noised copies of one input. `kiln bench`'s
/// `certify` workload times exactly that path through this protocol, so the benchmark measures the plugin's own
/// code rather than a copy of it. A plugin conforming to this also conforms to its kind's component protocol.
public protocol GaussianSamplingPlugin: KilnPlugin {
    /// A sampler for `model` (already in evaluation mode) that classifies `batch` noisy copies per forward pass,
    /// with noise of standard deviation `sigma` in the model's input units.
    static func makeSampler(model: any Layer, classCount: Int, sigma: Double, batch: Int) -> any GaussianSampler
}

/// Counts a model's predictions on Gaussian-noised copies of one input; buffers are kept between calls.
public protocol GaussianSampler: AnyObject {
    /// Classifies `count` copies of `input` (one example, `[...exampleShape]`), each plus independent noise from
    /// `rng`, in forward passes of at most the sampler's batch, and adds one to `counts[c]` per copy predicted as
    /// `c` (the lowest class on ties). Records nothing on the graph.
    func sample(_ input: Tensor, count: Int, into counts: inout [Int], using rng: inout RandomGenerator)
}

public import Experiment
public import TensorEngine
public import TensorNN

/// SAMPLE(x, num, batch) of randomized smoothing: the base model's class counts on Gaussian-noised copies of x.
///
/// Each forward pass classifies up to `batch` copies of the input, each plus noise N(0, σ²I) drawn straight into a
/// reused buffer (Philox, filled in parallel); the model's kernels use every core. Noise is added to the input as
/// the model receives it, with no clipping: for data in [0, 1] pixel units that is before any normalisation the
/// model does itself, so σ and radii are in pixel units (robustness.md (a)).
public final class NoiseSampler: GaussianSampler {
    /// The base classifier, in evaluation mode.
    public let model: any Layer
    /// Classes counted; predictions outside `0..<classCount` are a model bug and stop the process.
    public let classCount: Int
    /// Noise standard deviation, in the model's input units.
    public let sigma: Double
    /// Copies per forward pass.
    public let batch: Int
    /// One noisy-copy buffer per batch size seen (the full batch and a final partial one).
    private var buffers: [Int: Tensor] = [:]

    /// A sampler for `model` (the caller puts it in evaluation mode).
    public init(model: any Layer, classCount: Int, sigma: Double, batch: Int) {
        precondition(classCount >= 1 && batch >= 1 && sigma >= 0,
                     "NoiseSampler: classCount \(classCount), batch \(batch), sigma \(sigma)")
        self.model = model
        self.classCount = classCount
        self.sigma = sigma
        self.batch = batch
    }

    /// See ``GaussianSampler/sample(_:count:into:using:)``.
    public func sample(_ input: Tensor, count: Int, into counts: inout [Int], using rng: inout RandomGenerator) {
        precondition(counts.count == classCount, "NoiseSampler: \(counts.count) counters for \(classCount) classes")
        var remaining = count
        while remaining > 0 {
            let b = Swift.min(batch, remaining)
            let noisy = fill(b, around: input, using: &rng)
            let predictions = withoutGradients { model(noisy).argmax(axis: 1) }
            predictions.withUnsafeElements { p in
                for v in p {
                    let c = Int(v)
                    precondition((0..<classCount).contains(c), "NoiseSampler: prediction \(c) of \(classCount) classes")
                    counts[c] += 1
                }
            }
            remaining -= b
        }
    }

    /// The class counts of `count` noisy copies of `input`.
    public func counts(_ input: Tensor, count: Int, using rng: inout RandomGenerator) -> [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        sample(input, count: count, into: &counts, using: &rng)
        return counts
    }

    /// `b` copies of `input` plus noise, `[b, ...input.shape]`, in the reused buffer for size `b`.
    private func fill(_ b: Int, around input: Tensor, using rng: inout RandomGenerator) -> Tensor {
        var buffer = buffers.removeValue(forKey: b) ?? Tensor.zeros([b] + input.shape)
        if buffer.shape != [b] + input.shape { buffer = Tensor.zeros([b] + input.shape) }
        let plane = input.count, sigma = Float(self.sigma)
        input.withUnsafeElements { center in
            buffer.withUnsafeMutableElements { out in
                let c = center.baseAddress!, o = out.baseAddress!
                rng.fillNormal(out.count) { i, z in o[i] = c[i % plane] + sigma * z }
            }
        }
        buffers[b] = buffer
        return buffer
    }
}

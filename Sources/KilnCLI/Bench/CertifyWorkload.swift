import Experiment
import TensorEngine
import TensorNN

/// `certify`: the `cnn` model in evaluation mode, one input [3, 32, 32], n = 10000 Gaussian samples (σ = 0.25) in
/// batches of 500: noise, forward, argmax, count. Reports ms per batch (5 warm-up batches, then every batch of
/// the timed passes) and samples/s over a full pass (median of 3 passes).
///
/// The sampling is `eval.certify`'s own (its ``GaussianSamplingPlugin`` sampler, from the running kiln's plugins),
/// so the benchmark measures the path a certification takes: noise drawn into a reused buffer, the forward pass,
/// argmax and count. Without that plugin the workload reports an error.
enum CertifyWorkload {
    static let samples = 10_000, batch = 500, sigma: Float = 0.25, classes = 10, passes = 3
    static let pluginID = "eval.certify"

    static func run() -> [String: Any] {
        guard let catalog = try? CLIPlugins.current, let plugin = catalog[pluginID] as? any GaussianSamplingPlugin.Type
        else { return ["error": "\(pluginID) is not compiled into this kiln, or does not offer its sampler"] }
        var rng = RandomGenerator(seed: 1)
        let model = ConvNet(.benchCNN, rng: &rng)
        model.eval()
        let x0 = Tensor.normal([3, 32, 32], using: &rng)
        let sampler = plugin.makeSampler(model: model, classCount: classes, sigma: Double(sigma), batch: batch)
        var counts = [Int](repeating: 0, count: classes)
        var noise = rng.derived(7)

        // One call per batch, so each batch is timed; the sampler keeps its noise buffer between calls.
        func step() { sampler.sample(x0, count: batch, into: &counts, using: &noise) }

        for _ in 0..<5 { step() }
        var batchTimes: [Double] = [], totals: [Double] = []
        let cpu0 = BenchHarness.cpuSeconds(), start = BenchHarness.now()
        for _ in 0..<passes {
            counts = [Int](repeating: 0, count: classes)
            let passStart = BenchHarness.now()
            for _ in 0..<(samples / batch) {
                let t0 = BenchHarness.now()
                step()
                batchTimes.append((BenchHarness.now() - t0) * 1e3)
            }
            totals.append(BenchHarness.now() - passStart)
        }
        let cpuUtil = (BenchHarness.cpuSeconds() - cpu0) / (BenchHarness.now() - start)
        let stats = BenchHarness.summarize(batchTimes, cpuUtil: cpuUtil)
        let total = totals.sorted()[totals.count / 2]
        let flop = 2 * CNNWorkload.macs(batch: batch).reduce(0, +)
        var out = stats.dictionary
        out["gflops_median"] = flop / (stats.medianMs * 1e-3) / 1e9
        out["unit"] = "ms per batch of 500"
        out["n_samples"] = samples
        out["batch"] = batch
        out["sigma"] = Double(sigma)
        out["passes"] = passes
        out["total_s_median"] = total
        out["total_s_min"] = totals.min()!
        out["total_s_max"] = totals.max()!
        out["samples_per_s"] = Double(samples) / total
        out["top_count"] = counts.max()!
        out["flop_per_batch"] = flop
        out["sampler"] = pluginID
        return out
    }
}

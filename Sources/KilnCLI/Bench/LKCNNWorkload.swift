import TensorEngine
import TensorNN

/// `lkcnn`: input [32, 3, 64, 64] through conv 4×4 stride 4 3→64 (bias); 2 blocks of [depthwise 31×31 pad 15
/// (bias) → BatchNorm → 1×1 64→256 → GELU → 1×1 256→64, residual]; global average pool; Linear 64→10;
/// cross-entropy; AdamW (lr 1e-3). One step = zero grads, forward, loss, backward, optimizer step.
enum LKCNNWorkload {
    static func run(minTime: Double) -> [String: Any] {
        var rng = RandomGenerator(seed: 1)
        let model = LargeKernelCNN(.benchLKCNN, rng: &rng)
        model.train()
        let optimizer = AdamW(model.namedParameters(), lr: 1e-3)
        let x = Tensor.normal([32, 3, 64, 64], using: &rng)
        let y = Tensor.integers([32], low: 0, high: 10, using: &rng)
        var lastLoss: Float = 0
        let stats = BenchHarness.measure(minTime: minTime) {
            optimizer.zeroGrad()
            let loss = model(x).crossEntropy(targets: y)
            loss.backward()
            optimizer.step()
            lastLoss = loss.item
        }
        let n = 32, plane = 16 * 16
        let block = [Double(n * 64 * plane * 31 * 31), Double(n * 256 * plane * 64), Double(n * 64 * plane * 256)]
        let flop = trainingFLOP([Double(n * 64 * plane * 3 * 16)] + block + block + [Double(n * 10 * 64)])
        var out = stats.dictionary
        out["gflops_median"] = flop / (stats.medianMs * 1e-3) / 1e9
        out["flop_per_step"] = flop
        out["params"] = model.parameterCount
        out["final_loss"] = Double(lastLoss)
        return out
    }
}

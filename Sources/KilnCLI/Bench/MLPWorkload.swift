import TensorEngine
import TensorNN

/// `mlp`: Linear 784→512, ReLU, Linear 512→512, ReLU, Linear 512→10; batch 128; cross-entropy; AdamW lr 1e-3.
/// One step = zero grads, forward, loss, backward, optimizer step.
enum MLPWorkload {
    static func run(minTime: Double) -> [String: Any] {
        var rng = RandomGenerator(seed: 1)
        let model = MLP(inputs: 784, hidden: [512, 512], outputs: 10, activation: .relu, rng: &rng)
        let optimizer = AdamW(model.namedParameters(), lr: 1e-3)
        let x = Tensor.normal([128, 784], using: &rng)
        let y = Tensor.integers([128], low: 0, high: 10, using: &rng)
        var lastLoss: Float = 0
        let stats = BenchHarness.measure(minTime: minTime) {
            optimizer.zeroGrad()
            let loss = model(x).crossEntropy(targets: y)
            loss.backward()
            optimizer.step()
            lastLoss = loss.item
        }
        // forward 2·MACs, backward 4·MACs less the first layer's input gradient (inputs need none).
        let macs: Double = 128 * Double(784 * 512 + 512 * 512 + 512 * 10)
        let firstInputGradient: Double = 2 * 128 * 784 * 512
        let flop: Double = 6 * macs - firstInputGradient
        var out = stats.dictionary
        out["gflops_median"] = flop / (stats.medianMs * 1e-3) / 1e9
        out["params"] = model.parameterCount
        out["final_loss"] = Double(lastLoss)
        return out
    }
}

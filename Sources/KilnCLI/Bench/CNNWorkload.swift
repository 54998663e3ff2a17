import TensorEngine
import TensorNN

/// `cnn`: input [64, 3, 32, 32] through conv3×3 3→32, BN, ReLU; conv3×3 32→64 stride 2, BN, ReLU; conv3×3 64→128
/// stride 2, BN, ReLU; global average pool; Linear 128→10; cross-entropy; SGD momentum 0.9, lr 0.1.
/// One step = zero grads, forward, loss, backward, optimizer step.
enum CNNWorkload {
    static func run(minTime: Double) -> [String: Any] {
        var rng = RandomGenerator(seed: 1)
        let model = ConvNet(.benchCNN, rng: &rng)
        model.train()
        let optimizer = SGD(model.namedParameters(), lr: 0.1, momentum: 0.9)
        let x = Tensor.normal([64, 3, 32, 32], using: &rng)
        let y = Tensor.integers([64], low: 0, high: 10, using: &rng)
        var lastLoss: Float = 0
        let stats = BenchHarness.measure(minTime: minTime) {
            optimizer.zeroGrad()
            let loss = model(x).crossEntropy(targets: y)
            loss.backward()
            optimizer.step()
            lastLoss = loss.item
        }
        let flop = trainingFLOP(macs(batch: 64))
        var out = stats.dictionary
        out["gflops_median"] = flop / (stats.medianMs * 1e-3) / 1e9
        out["flop_per_step"] = flop
        out["params"] = model.parameterCount
        out["final_loss"] = Double(lastLoss)
        return out
    }

    /// Multiply-accumulates per conv and linear layer of the forward pass, in order (torch_ref's count).
    static func macs(batch n: Int) -> [Double] {
        [Double(n * 32 * 32 * 32 * 3 * 9), Double(n * 64 * 16 * 16 * 32 * 9), Double(n * 128 * 8 * 8 * 64 * 9),
         Double(n * 10 * 128)]
    }
}

/// forward 2·MACs; backward 4·MACs less the first layer's input gradient (inputs need none), as torch_ref counts.
func trainingFLOP(_ macs: [Double]) -> Double {
    6 * macs.reduce(0, +) - 2 * (macs.first ?? 0)
}

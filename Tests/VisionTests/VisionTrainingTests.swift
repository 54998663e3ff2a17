import Foundation
import TensorEngine
import TensorNN
import TestSupport
import Testing

/// Procedural texture classes: horizontal, vertical and diagonal stripes and a checkerboard, each with random
/// frequency, phase and colour plus pixel noise. `[N, 3, size, size]` images and labels.
enum StripesTask {
    static let classes = 4

    static func make(count: Int, size: Int = 16, noise: Float = 0.3, seed: UInt64) -> (images: Tensor, labels: Tensor) {
        var rng = RandomGenerator(seed: seed)
        let u = Tensor.uniform([count, 8], using: &rng).scalars
        let z = Tensor.normal([count, 3, size, size], std: noise, using: &rng).scalars
        var pixels = [Float](repeating: 0, count: count * 3 * size * size)
        var labels = [Float](repeating: 0, count: count)
        for n in 0..<count {
            let p = Array(u[(n * 8)..<(n * 8 + 8)])
            let label = Swift.min(Int(p[0] * Float(classes)), classes - 1)
            labels[n] = Float(label)
            let frequency = 0.12 + 0.2 * p[1], phase = 6.283 * p[2]
            for y in 0..<size {
                for x in 0..<size {
                    let (fy, fx) = (Float(y), Float(x))
                    let w = 6.283 * frequency
                    let v: Float
                    switch label {
                    case 0: v = _sin(w * fy + phase)
                    case 1: v = _sin(w * fx + phase)
                    case 2: v = _sin(w * 0.7071 * (fx + fy) + phase)
                    default: v = _sin(w * fx + phase) * _sin(w * fy + 1.3 * phase)
                    }
                    for c in 0..<3 {
                        let i = ((n * 3 + c) * size + y) * size + x
                        pixels[i] = v * (0.5 + p[3 + c]) + (p[6] - 0.5) + z[i]
                    }
                }
            }
        }
        return (Tensor([count, 3, size, size], pixels), Tensor([count], labels))
    }

    private static func _sin(_ x: Float) -> Float { Foundation.sin(x) }
}

/// Trains `model` on the stripes task for `steps` minibatch steps and returns its held-out accuracy.
func trainOnStripes(_ model: any Layer, steps: Int, lr: Double, batch: Int = 32) -> Double {
    let train = StripesTask.make(count: 512, seed: 1)
    let test = StripesTask.make(count: 256, seed: 2)
    let optimizer = AdamW(model.namedParameters(), lr: lr, weightDecay: 0.01)
    var order = RandomGenerator(seed: 3)
    model.train()
    for _ in 0..<steps {
        let rows = order.permutation(512).prefix(batch).map { $0 }
        optimizer.zeroGrad()
        model(train.images.rows(rows)).crossEntropy(targets: train.labels.rows(rows)).backward()
        optimizer.step()
    }
    model.eval()
    let predictions = withoutGradients { model(test.images).argmax(axis: 1) }
    let right = zip(predictions.scalars, test.labels.scalars).filter { $0 == $1 }.count
    return Double(right) / Double(test.labels.count)
}

/// Each built-in vision model learns the stripes task well above chance (25 %) within seconds.
@Suite struct VisionTrainingTests {
    @Test func resNetLearnsStripes() {
        var rng = RandomGenerator(seed: 10)
        let model = ResNet(ResNetConfig(depth: 8, width: 8, classes: StripesTask.classes), rng: &rng)
        let accuracy = trainOnStripes(model, steps: 40, lr: 3e-3)
        #expect(accuracy > 0.7, "ResNet-8 held-out accuracy \(accuracy)")
    }

    @Test(arguments: [NormalizationKind.layer, .batch])
    func largeKernelCNNLearnsStripes(norm: NormalizationKind) {
        var rng = RandomGenerator(seed: 11)
        let config = LargeKernelCNNConfig(
            classes: StripesTask.classes, widths: [16, 32], depths: [1, 1], kernelSizes: [KernelSize(7)],
            stemPatch: 2, norm: norm, layerScale: 0.1, dropPath: 0.1)
        let model = LargeKernelCNN(config, rng: &rng)
        let accuracy = trainOnStripes(model, steps: 40, lr: 3e-3)
        #expect(accuracy > 0.7, "LK-CNN (\(norm)) held-out accuracy \(accuracy)")
    }
}

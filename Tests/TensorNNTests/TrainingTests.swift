import Experiment
import TensorEngine
import TensorNN
import Testing

/// End to end: a model learns, in seconds, inside the test suite.
@Suite struct TrainingTests {
    /// 1.5 turns per arm, 256 training and 400 test points, full-batch AdamW with warm-up and cosine decay.
    @Test func mlpLearnsTwoSpirals() throws {
        var rng = RandomGenerator(seed: 2024)
        let data = Spirals(pointsPerClass: 128, testPointsPerClass: 200, noise: 0.02).make(using: &rng)
        let (train, test) = (data.train, data.test)
        let model = MLP(inputs: 2, hidden: [32, 32], outputs: 2, activation: .relu, rng: &rng)
        let optimizer = AdamW(
            groups: ParameterGroup.splitForWeightDecay(model.namedParameters(), weightDecay: 1e-4),
            lr: 0.02)
        let steps = 200
        optimizer.schedule = CosineSchedule(totalSteps: steps, warmupSteps: 20, minMultiplier: 0.05)
        var firstLoss: Float = 0
        var lastLoss: Float = 0
        for step in 0..<steps {
            optimizer.zeroGrad()
            let loss = model(train.inputs).crossEntropy(targets: train.labels)
            loss.backward()
            optimizer.step()
            if step == 0 { firstLoss = loss.item }
            lastLoss = loss.item
        }
        model.eval()
        let testAccuracy = withoutGradients { accuracy(model(test.inputs), test.labels) }
        #expect(lastLoss < firstLoss / 5, "loss \(firstLoss) → \(lastLoss)")
        #expect(testAccuracy >= 0.95, "test accuracy \(testAccuracy)")
    }
}

import TensorEngine
import TensorNN
import Testing

@testable import Experiment

/// `train.grad_norm`, which the run driver logs for every optimizer so spikes compare across runs.
@Suite struct GradientNormTests {
    @Test func isTheGlobalNormOfTheRawGradientsOfTrainableParameters() throws {
        let layer = Linear(weight: Tensor([1, 2], [1, 2]), bias: Tensor([1], [0]))
        layer(Tensor([1, 2], [3, 4])).sum().backward()
        // dW = x = [3, 4], db = 1: √(9 + 16 + 1).
        #expect(abs(TrainingSession.gradientNorm(of: layer) - 26.0.squareRoot()) < 1e-12)
        try layer.freeze("bias")
        #expect(TrainingSession.gradientNorm(of: layer) == 5, "a frozen parameter is not trained, so not counted")
    }
}

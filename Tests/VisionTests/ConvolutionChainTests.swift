import TensorEngine
import TensorNN
import TestSupport
import Testing

/// The fused inference chain against the same convolutions, biases and ReLUs run one op at a time.
@Suite struct ConvolutionChainTests {
    @Test func chainMatchesUnfusedOps() {
        var rng = RandomGenerator(seed: 21)
        let x = Tensor.normal([3, 5, 13, 11], using: &rng)
        let stages = [
            ConvolutionStage(weight: Tensor.normal([16, 5, 3, 3], std: 0.3, using: &rng),
                             bias: Tensor.normal([16], using: &rng), options: Conv2DOptions(padding: 1), relu: true),
            ConvolutionStage(weight: Tensor.normal([32, 16, 3, 3], std: 0.2, using: &rng),
                             bias: Tensor.normal([32], using: &rng), options: Conv2DOptions(stride: 2, padding: 1), relu: false),
            ConvolutionStage(weight: Tensor.normal([32, 1, 5, 5], std: 0.2, using: &rng),
                             bias: Tensor.normal([32], using: &rng), options: Conv2DOptions(padding: 2, groups: 32), relu: true),
            ConvolutionStage(weight: Tensor.normal([24, 32, 1, 1], std: 0.2, using: &rng),
                             bias: Tensor.normal([24], using: &rng), options: Conv2DOptions(), relu: true),
        ]
        var reference = x
        for s in stages {
            reference = reference.conv2d(weight: s.weight, bias: s.bias, options: s.options)
            if s.relu { reference = reference.relu() }
        }
        let fused = withoutGradients { x.convolutionChain(stages) }
        #expect(fused.shape == reference.shape)
        expectClose(fused.scalars, reference.scalars, tolerance: 1e-5, "fused chain")
        let pooled = withoutGradients { x.convolutionChain(stages, globalAveragePool: true) }
        expectClose(pooled.scalars, reference.mean(axes: [2, 3]).scalars, tolerance: 1e-5, "fused chain, pooled")
        // 16 output channels: the pooled mean is read straight from the blocked layout.
        let short = withoutGradients { x.convolutionChain(Array(stages.prefix(1)), globalAveragePool: true) }
        let shortReference = x.conv2d(weight: stages[0].weight, bias: stages[0].bias, options: stages[0].options).relu()
        expectClose(short.scalars, shortReference.mean(axes: [2, 3]).scalars, tolerance: 1e-5, "one stage, pooled")
    }

    /// ConvNet in evaluation without gradients folds BatchNorm and runs fused; the logits equal the op-by-op ones.
    @Test func convNetEvaluationRunsFused() {
        var rng = RandomGenerator(seed: 22)
        let model = ConvNet(.benchCNN, rng: &rng)
        let x = Tensor.normal([6, 3, 32, 32], using: &rng)
        withoutGradients {
            for _ in 0..<3 { _ = model(x) }  // training steps move the running statistics away from 0 and 1
        }
        model.eval()
        #expect(model.inferenceStages()?.count == 3)
        let fused = withoutGradients { model(x) }
        let reference = withoutGradients { model.body.forward(x) }
        expectClose(fused.scalars, reference.scalars, tolerance: 1e-5, "fused evaluation logits")
        let recorded = model(x)  // gradients on: the op-by-op path
        expectClose(recorded.scalars, reference.scalars, tolerance: 0, "recorded evaluation logits")
        model.train()
        #expect(model.inferenceStages() == nil, "training-mode BatchNorm cannot be folded")
    }
}

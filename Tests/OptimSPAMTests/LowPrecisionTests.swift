import Experiment
import PluginAPI
import TensorEngine
import TensorNN
import Testing

@testable import OptimSPAM

/// Simulated low precision as the models use it: a `Linear` with `SimulatedPrecision`'s quantisers (the engine's
/// `fakeQuantized`, whose grids VisionTests check element by element), and `model.lowbit-mlp`.
@Suite struct LowPrecisionTests {
    /// A 4-in, 1-out layer with the given weight row and bias.
    private func layer(_ weight: [Float], bias: Float, _ precision: SimulatedPrecision) -> Linear {
        let linear = Linear(weight: Tensor([1, 4], weight), bias: Tensor([1], [bias]))
        linear.quantization = precision.quantization(groupSize: 4)
        return linear
    }

    @Test func int4LinearMultipliesTheQuantisedInputAndWeight() {
        // Weight, asymmetric INT4: min −1, max 2 → scale 0.2, zero 5; 0.31 → 2 → 0.4; 1.05 → 5.25 → 5 → 1.0.
        // Input, symmetric INT4 with the top 2 kept: 10 and −8 exact; the rest's max |x| 0.7 → x̂ = round(10x)/10.
        // y = 10·(−1) + 0.3·0.4 + (−8)·1 + (−0.7)·2 + 0.5 = −18.78 (the bias is not quantised).
        let y = layer([-1, 0.31, 1.05, 2], bias: 0.5, .int4)(Tensor([1, 4], [10, 0.26, -8, -0.7]))
        #expect(abs(y.item - -18.78) < 1e-5, "\(y.item)")
    }

    @Test func fp4LinearUsesTheNineLevelGridWithTwoOutliers() {
        // Both sides keep their top 2; the rest round to multiples of α/4: weight 0.3 → 0.25 (α 1), input −0.9 → −1
        // (α 2). y = 9·5 + 8·(−4) + 2·1 + (−1)·0.25 = 14.75.
        let y = layer([5, -4, 1, 0.3], bias: 0, .fp4)(Tensor([1, 4], [9, 8, 2, -0.9]))
        #expect(abs(y.item - 14.75) < 1e-5, "\(y.item)")
    }

    @Test func gradientsAreStraightThroughBothQuantisers() {
        let linear = layer([-1, 0.31, 1.05, 2], bias: 0.5, .int4)
        let x = Tensor([1, 4], [10, 0.26, -8, -0.7]).requiringGrad()
        linear(x).sum().backward()
        // dW = dyᵀ·Q(x) and dx = dy·Q(W), with dy = 1: the quantised values, landing on the float32 masters.
        expectNear(linear.weight.grad?.scalars ?? [], [10, 0.3, -8, -0.7])
        expectNear(x.grad?.scalars ?? [], [-1, 0.4, 1, 2])
        #expect(linear.bias?.grad?.scalars == [1])
        #expect(linear.weight.value.scalars == [-1, 0.31, 1.05, 2], "the master weight is not rounded")
    }

    @Test func fp32HasNoQuantisers() {
        #expect(SimulatedPrecision.fp32.quantization(groupSize: 4) == nil)
        let q = SimulatedPrecision.int4.quantization(groupSize: 256)
        #expect(q?.weights == .int4Weights && q?.inputs == .int4Activations, "spam.md's W4A4 recipe")
    }

    /// INT4 and FP4 MLPs train on a separable task with either optimizer: the loss falls.
    @Test(arguments: [SimulatedPrecision.int4, .fp4])
    func lowBitMLPTrainsWithSPAMFamily(_ precision: SimulatedPrecision) throws {
        var rng = RandomGenerator(seed: 5)
        var config = LowPrecisionMLPConfig()
        config.precision = precision
        config.hidden = [32]
        config.groupSize = 8
        let model = try LowPrecisionMLPPlugin.makeModel(
            config, task: TaskInfo(exampleShape: [8], classCount: 2), using: &rng)
        #expect(model.namedParameters().count == 4)
        let linears = model.namedModules().compactMap { $0.module as? Linear }
        #expect(linears.map { $0.quantization != nil } == [true, false], "all but the output layer")
        let x = Tensor.normal([64, 8], using: &rng)
        let labels = Tensor([64], x.scalars.enumerated().filter { $0.offset % 8 == 0 }.map { $0.element > 0 ? 1 : 0 })
        for opt in [SPAM(model.namedParameters()), StableSPAM(model.namedParameters())] as [any Optimizer] {
            var first: Float = 0
            var last: Float = 0
            for step in 0..<60 {
                opt.zeroGrad()
                let loss = model(x).crossEntropy(targets: labels)
                loss.backward()
                opt.step()
                if step == 0 { first = loss.item }
                last = loss.item
            }
            #expect(last < first * 0.8, "\(precision): loss \(first) → \(last)")
        }
    }

    @Test func inputTooNarrowForAGroupIsRejectedUnlessKeptFullPrecision() throws {
        var rng = RandomGenerator(seed: 1)
        var config = LowPrecisionMLPConfig()
        config.hidden = [16]
        config.groupSize = 16
        let task = TaskInfo(exampleShape: [2], classCount: 2)
        #expect(
            throws: ConfigurationMismatch(
                key: "group_size",
                message: "16 does not divide the 2 inputs of layer 0; set quantize_input: false to keep the first "
                    + "layer in full precision")
        ) { try LowPrecisionMLPPlugin.makeModel(config, task: task, using: &rng) }
        config.quantizeInput = false
        let model = try LowPrecisionMLPPlugin.makeModel(config, task: task, using: &rng)
        let linears = model.namedModules().compactMap { $0.module as? Linear }
        #expect(linears.map { $0.quantization != nil } == [false, false])
        config.quantizeOutput = true
        let both = try LowPrecisionMLPPlugin.makeModel(config, task: task, using: &rng)
        let quantised = both.namedModules().compactMap { $0.module as? Linear }.map { $0.quantization != nil }
        #expect(quantised == [false, true])
    }

    /// With no group size, each quantised layer's whole input row is one group: the defaults fit two inputs as well
    /// as the 64-wide hidden layers (a default of 256 divided neither).
    @Test func theDefaultsFitAnyInputWidth() throws {
        let config = LowPrecisionMLPConfig()
        var validator = ConfigValidator()
        config.validate(&validator)
        #expect(validator.problems == [])
        var rng = RandomGenerator(seed: 1)
        let model = try LowPrecisionMLPPlugin.makeModel(
            config, task: TaskInfo(exampleShape: [2], classCount: 3), using: &rng)
        let linears = model.namedModules().compactMap { $0.module as? Linear }
        #expect(linears.map { $0.quantization?.weights.groupSize } == [2, 64, nil])
        #expect(linears.map { $0.quantization?.inputs.groupSize } == [2, 64, nil])
    }

    private func expectNear(_ a: [Float], _ b: [Float], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) < 1e-6 }, "\(a) vs \(b)",
                sourceLocation: sourceLocation)
    }
}

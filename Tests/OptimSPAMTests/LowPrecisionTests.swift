import Experiment
import TensorEngine
import TensorNN
import Testing

@testable import OptimSPAM

@Suite struct LowPrecisionTests {
    private func quantize(_ values: [Float], _ format: LowBitFormat, group: Int) -> [Float] {
        Tensor([values.count], values).simulatedLowBit(LowBitQuantizer(format, groupSize: group)).scalars
    }

    @Test func int4AsymmetricMatchesHandComputedGroup() {
        // min −1, max 2: scale 0.2, zero = round(5) = 5; 0.31 → round(1.55) = 2 → 0.4; 1.05 → round(5.25) = 5 → 1.0.
        let y = quantize([-1, 0.31, 1.05, 2], .int4Asymmetric, group: 4)
        let expected: [Float] = [-1, 0.4, 1.0, 2]
        for (a, b) in zip(y, expected) { #expect(abs(a - b) < 1e-6) }
    }

    @Test func int4SymmetricKeepsTwoOutliersExact() {
        // Outliers 10 and −8 kept; rest max |x| = 0.7: q = round(7x/0.7) = round(10x); x̂ = q·0.1.
        let y = quantize([10, 0.26, -8, -0.7, 0.04, 0.5], .int4SymmetricTop2, group: 6)
        let expected: [Float] = [10, 0.3, -8, -0.7, 0, 0.5]
        for (a, b) in zip(y, expected) { #expect(abs(a - b) < 1e-6) }
    }

    @Test func fp4UniformHasNineLevelsPerGroup() {
        // Two groups of 4; each keeps its top-2 and puts the rest on {0, ±¼, ±½, ±¾, ±1}·α.
        let y = quantize([5, -4, 1, 0.3, 9, 8, 2, -0.9], .fp4UniformTop2, group: 4)
        let expected: [Float] = [5, -4, 1, 0.25, 9, 8, 2, -1]
        for (a, b) in zip(y, expected) { #expect(abs(a - b) < 1e-6, "\(y)") }
    }

    @Test func backwardIsStraightThrough() {
        let x = Parameter(Tensor([2, 4], [0.3, -1, 2, 0.1, 5, 0, -3, 1]))
        (x.value.simulatedLowBit(LowBitQuantizer(.int4Asymmetric, groupSize: 4))
            * Tensor([2, 4], [1, 2, 3, 4, 5, 6, 7, 8]))
            .sum().backward()
        #expect(x.grad?.scalars == [1, 2, 3, 4, 5, 6, 7, 8])
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
}

import TensorEngine
import TensorNN
import Testing

/// A small regression problem for optimizer tests: an MLP and a fixed batch.
private struct Problem {
    let model: MLP
    let x: Tensor
    let y: Tensor

    init(seed: UInt64) {
        var rng = RandomGenerator(seed: seed)
        model = MLP(inputs: 3, hidden: [8], outputs: 2, rng: &rng)
        x = Tensor.normal([16, 3], using: &rng)
        y = Tensor.normal([16, 2], using: &rng)
    }

    func step(_ optimizer: any Optimizer) {
        optimizer.zeroGrad()
        model(x).mseLoss(y).backward()
        optimizer.step()
    }
}

private func makeOptimizers(_ params: [NamedParameter]) -> [any Optimizer] {
    [
        SGD(params, lr: 0.05),
        SGD(params, lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01),
        Adam(params, lr: 0.01, weightDecay: 0.01),
        AdamW(groups: ParameterGroup.splitForWeightDecay(params, weightDecay: 0.1), lr: 0.01),
    ]
}

@Suite struct OptimizerTests {
    @Test func stateRoundTripContinuesBitForBit() throws {
        for k in 0..<4 {
            let a = Problem(seed: 11)
            let b = Problem(seed: 11)
            let optA = makeOptimizers(a.model.namedParameters())[k]
            optA.schedule = CosineSchedule(totalSteps: 20, warmupSteps: 3, minMultiplier: 0.1)
            for _ in 0..<6 { a.step(optA) }

            // A second model, trained differently, then given A's parameters and optimizer state.
            let optB = makeOptimizers(b.model.namedParameters())[k]
            optB.schedule = CosineSchedule(totalSteps: 20, warmupSteps: 3, minMultiplier: 0.1)
            b.step(optB)
            try b.model.loadParameters(a.model.parameterValues())
            let saved = optA.exportState()
            try optB.loadState(saved)
            let again = optB.exportState()
            #expect(again.stepCount == saved.stepCount && again.parameterSteps == saved.parameterSteps)
            #expect(again.slots.mapValues(bits) == saved.slots.mapValues(bits))

            for _ in 0..<5 {
                a.step(optA)
                b.step(optB)
            }
            #expect(
                a.model.parameterValues().mapValues(bits) == b.model.parameterValues().mapValues(bits),
                "optimizer \(k): resumed training diverged")
        }
    }

    @Test func stateExportNamesSlotsByParameterPath() {
        let p = Problem(seed: 12)
        let adam = AdamW(p.model.namedParameters())
        #expect(adam.exportState().slots.isEmpty, "no state before the first step")
        p.step(adam)
        let state = adam.exportState()
        #expect(state.slotNames == ["exp_avg", "exp_avg_sq"])
        #expect(
            state.slots.keys.sorted() == [
                "layers.0.bias.exp_avg", "layers.0.bias.exp_avg_sq",
                "layers.0.weight.exp_avg", "layers.0.weight.exp_avg_sq",
                "layers.2.bias.exp_avg", "layers.2.bias.exp_avg_sq",
                "layers.2.weight.exp_avg", "layers.2.weight.exp_avg_sq",
            ])
        #expect(state.parameterSteps.values.allSatisfy { $0 == 1 })
        let sgd = SGD(p.model.namedParameters(), lr: 0.1, momentum: 0.9)
        p.step(sgd)
        #expect(sgd.exportState().slots.keys.contains("layers.0.weight.momentum_buffer"))
    }

    @Test func loadStateRejectsMismatchesAndChangesNothing() {
        let p = Problem(seed: 13)
        let adam = Adam(p.model.namedParameters())
        p.step(adam)
        let good = adam.exportState()
        let sgd = SGD(p.model.namedParameters(), lr: 0.1, momentum: 0.9)
        #expect(throws: OptimizerError.slotMismatch(expected: ["momentum_buffer"], found: ["exp_avg", "exp_avg_sq"])) {
            try sgd.loadState(good)
        }
        var bad = good
        bad.slots["layers.0.bias.exp_avg"] = Tensor.zeros([3])
        #expect(throws: OptimizerError.shapeMismatch(name: "layers.0.bias.exp_avg", expected: [8], found: [3])) {
            try adam.loadState(bad)
        }
        bad = good
        bad.parameterSteps["head.weight"] = 1
        #expect(throws: OptimizerError.unknownParameter("head.weight")) { try adam.loadState(bad) }
        bad = good
        bad.slots["layers.0.bias.exp_avg_sq"] = nil
        #expect(throws: OptimizerError.missingTensor("layers.0.bias.exp_avg_sq")) { try adam.loadState(bad) }
        bad = good
        bad.slots["layers.0.bias.extra"] = Tensor.zeros([8])
        #expect(throws: OptimizerError.unexpectedTensor("layers.0.bias.extra")) { try adam.loadState(bad) }
        #expect(adam.exportState().slots.mapValues(bits) == good.slots.mapValues(bits), "failed loads change nothing")
    }

    @Test func zeroGradientStepsStayFinite() {
        for k in 0..<4 {
            let p = Problem(seed: 14)
            let named = p.model.namedParameters()
            let optimizer = makeOptimizers(named)[k]
            for step in 0..<6 {
                // Zero gradients from the first step (Adam: m = v = 0, so the update is 0/ε), then after real ones.
                if step == 3 {
                    p.step(optimizer)
                    continue
                }
                for n in named { injectGradient(Tensor.zeros(n.parameter.shape), into: n.parameter) }
                optimizer.step()
            }
            for n in named {
                #expect(n.parameter.value.scalars.allSatisfy { $0.isFinite }, "optimizer \(k): \(n.name) not finite")
            }
            if let adamW = optimizer as? AdamW {
                adamW.resetState()
                for n in named { injectGradient(Tensor.zeros(n.parameter.shape), into: n.parameter) }
                adamW.step()
                #expect(named.allSatisfy { $0.parameter.value.scalars.allSatisfy { $0.isFinite } }, "step after reset")
            }
        }
    }

    @Test func frozenAndGradientlessParametersAreSkipped() throws {
        let p = Problem(seed: 15)
        try p.model.freeze("layers.0.weight")
        let optimizer = AdamW(p.model.namedParameters(), lr: 0.05, weightDecay: 0.5)
        let frozenBefore = bits(p.model.parameter(named: "layers.0.weight")!.value)
        let trainedBefore = bits(p.model.parameter(named: "layers.2.weight")!.value)
        for _ in 0..<3 { p.step(optimizer) }
        #expect(bits(p.model.parameter(named: "layers.0.weight")!.value) == frozenBefore, "frozen weight moved")
        #expect(bits(p.model.parameter(named: "layers.2.weight")!.value) != trainedBefore)
        #expect(optimizer.exportState().parameterSteps["layers.0.weight"] == nil)
        #expect(optimizer.exportState().parameterSteps["layers.0.bias"] == 3)
    }

    @Test func updatesHappenInPlace() {
        let p = Problem(seed: 16)
        let optimizer = Adam(p.model.namedParameters())
        p.step(optimizer)
        let weight = p.model.parameter(named: "layers.0.weight")!
        let address = weight.value.withUnsafeElements { $0.baseAddress }
        for _ in 0..<3 { p.step(optimizer) }
        #expect(weight.value.withUnsafeElements { $0.baseAddress } == address, "the step copied the parameter")
    }

    @Test func groupLearningRatesAndSchedules() {
        let p = Problem(seed: 17)
        let groups = ParameterGroup.splitForWeightDecay(p.model.namedParameters(), weightDecay: 0.1)
        let optimizer = AdamW(groups: groups, lr: 1e-3)
        optimizer.groups[1].lr = 5e-3
        optimizer.schedule = WarmupSchedule(warmupSteps: 4)
        #expect(optimizer.currentLearningRates == [1e-3 * 0.25, 5e-3 * 0.25])
        for _ in 0..<4 { p.step(optimizer) }
        #expect(optimizer.currentLearningRates == [1e-3, 5e-3])
        #expect(optimizer.stepCount == 4)
    }

    @Test func schedulesGiveDocumentedMultipliers() {
        #expect(ConstantSchedule().multiplier(at: 1000) == 1)
        let warm = WarmupSchedule(warmupSteps: 4)
        #expect((0..<6).map(warm.multiplier(at:)) == [0.25, 0.5, 0.75, 1, 1, 1])
        let cosine = CosineSchedule(totalSteps: 10, warmupSteps: 2, minMultiplier: 0.1)
        #expect(cosine.multiplier(at: 0) == 0.5 && cosine.multiplier(at: 1) == 1 && cosine.multiplier(at: 2) == 1)
        #expect(abs(cosine.multiplier(at: 6) - 0.55) < 1e-12, "halfway down: 0.1 + 0.9·0.5")
        #expect(abs(cosine.multiplier(at: 10) - 0.1) < 1e-12 && abs(cosine.multiplier(at: 50) - 0.1) < 1e-12)
        let stepped = StepSchedule(stepSize: 3, gamma: 0.5)
        #expect((0..<7).map(stepped.multiplier(at:)) == [1, 1, 1, 0.5, 0.5, 0.5, 0.25])
    }
}

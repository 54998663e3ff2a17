import TensorEngine
import TensorNN
import TestSupport
import Testing

/// Kiln against PyTorch 1.13 on the fixtures of tools/fixtures/make_nn_fixtures.py.
@Suite struct GoldenTests {
    @Test func mlpForwardLossAndGradientsMatchPyTorch() throws {
        let fixtures = try NNFixtures.load()
        #expect(fixtures.mlp.count >= 2)
        for c in fixtures.mlp {
            var rng = RandomGenerator(seed: 1)
            let activation = try #require(ActivationFunction(rawValue: c.activation))
            let model = MLP(inputs: c.inputs, hidden: c.hidden, outputs: c.outputs, activation: activation, rng: &rng)
            let expectedNames = (0...c.hidden.count).flatMap { ["layers.\(2 * $0).weight", "layers.\(2 * $0).bias"] }
            #expect(model.namedParameters().map(\.name) == expectedNames, "\(c.name): PyTorch's parameter names")
            try model.loadParameters(c.parameters.mapValues(\.tensor))

            let logits = model(c.x.tensor)
            let loss = logits.crossEntropy(targets: Tensor([c.targets.count], c.targets.map(Float.init)))
            loss.backward()
            expectClose(logits.scalars, c.logits.values, tolerance: 1e-5, "\(c.name) logits")
            expectClose([loss.item], [c.loss], tolerance: 1e-6, "\(c.name) loss")
            for (name, g) in c.grads {
                let grad = try #require(model.parameter(named: name)?.grad, "\(c.name): no gradient for \(name)")
                #expect(grad.shape == g.shape)
                expectClose(grad.scalars, g.values, tolerance: 1e-5, "\(c.name) d loss / d \(name)")
            }
        }
    }

    @Test func optimizerTrajectoriesMatchPyTorch() throws {
        let fixtures = try NNFixtures.load()
        let problem = fixtures.optimizerProblem
        #expect(fixtures.optimizers.count >= 8)
        for c in fixtures.optimizers {
            let params = ["weight", "bias"].map { NamedParameter($0, Parameter(problem.initial[$0]!.tensor)) }
            let groups =
                c.groups.map { groups in
                    groups.map { g in
                        ParameterGroup(
                            params.filter { g.params.contains($0.name) }, lr: g.lr, weightDecay: g.weightDecay)
                    }
                } ?? [ParameterGroup(params)]
            let optimizer: any Optimizer
            switch c.kind {
            case "sgd":
                optimizer = SGD(
                    groups: groups, lr: c.lr, momentum: c.momentum, dampening: c.dampening,
                    nesterov: c.nesterov, weightDecay: c.weightDecay)
            case "adam": optimizer = Adam(groups: groups, lr: c.lr, weightDecay: c.weightDecay)
            default: optimizer = AdamW(groups: groups, lr: c.lr, weightDecay: c.weightDecay)
            }
            if let s = c.schedule {
                optimizer.schedule = CosineSchedule(totalSteps: s.total, warmupSteps: s.warmup, minMultiplier: s.min)
            }
            for (t, expected) in c.trajectory.enumerated() {
                for p in params {
                    let h = problem.curvature[p.name]!.tensor
                    let noise = Tensor(p.parameter.shape, problem.noise[p.name]![t])
                    injectGradient(withoutGradients { h * p.parameter.value + noise }, into: p.parameter)
                }
                optimizer.step()
                for p in params {
                    expectClose(
                        p.parameter.value.scalars, expected[p.name]!, tolerance: 1e-6,
                        "\(c.name) \(p.name) after step \(t + 1)")
                }
            }
            let state = optimizer.exportState()
            #expect(state.stepCount == c.trajectory.count)
            for (name, slots) in c.state {
                #expect(state.parameterSteps[name] == c.trajectory.count, "\(c.name) \(name) step")
                for (slot, value) in slots {
                    switch value {
                    case .step(let n): #expect(n == state.parameterSteps[name], "\(c.name) \(name) step")
                    case .values(let v):
                        let mine = try #require(state.slots["\(name).\(slot)"], "\(c.name): no slot \(name).\(slot)")
                        expectClose(mine.scalars, v, tolerance: 1e-6, "\(c.name) \(name).\(slot)")
                    }
                }
            }
        }
    }
}

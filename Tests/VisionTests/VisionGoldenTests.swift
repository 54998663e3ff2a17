import TensorEngine
import TensorNN
import TestSupport
import Testing

/// Kiln's vision models against PyTorch 1.13 on the fixtures of tools/fixtures/make_vision_fixtures.py.
@Suite struct VisionGoldenTests {
    /// The `cnn` workload model: train-mode logits, loss, every gradient, the running statistics, then eval logits.
    @Test func cnnWorkloadModelMatchesPyTorch() throws {
        let c = try VisionFixtures.load().cnn
        var rng = RandomGenerator(seed: 3)
        let model = ConvNet(.benchCNN, rng: &rng)
        let names = model.namedParameters().filter { !$0.parameter.isBuffer }.map(\.name)
        #expect(names == ["0.weight", "1.weight", "1.bias", "3.weight", "4.weight", "4.bias", "6.weight", "7.weight",
                          "7.bias", "11.weight", "11.bias"], "PyTorch's nn.Sequential names")
        #expect(model.namedBuffers().map(\.name).filter { !$0.hasSuffix("num_batches_tracked") }.sorted()
                == c.buffers.keys.sorted())
        var values: [String: Tensor] = [:]
        for name in names {
            let s = try #require(c.parameterSeeds[name], "no seed for \(name)")
            let p = try #require(model.parameter(named: name))
            var t = Hashed.tensor(p.shape, seed: s.seed, scale: s.scale)
            if p.shape.count == 1 && name.hasSuffix("weight") && !name.hasPrefix("11") { t = t + c.bnWeightOffset }
            values[name] = t
        }
        try model.loadParameters(values, strict: false)

        let x = Hashed.tensor([c.batch, 3, 32, 32], seed: c.inputSeed, scale: 1)
        let y = Hashed.labels(c.batch, seed: c.labelSeed, classes: 10)
        #expect(y.scalars.map(Int.init) == c.labels)
        model.train()
        let logits = model(x)
        let loss = logits.crossEntropy(targets: y)
        loss.backward()
        expectClose(logits.scalars, c.logits.data, tolerance: 1e-5, "logits")
        expectClose([loss.item], [c.loss], tolerance: 1e-6, "loss")
        for (name, g) in c.grads {
            let grad = try #require(model.parameter(named: name)?.grad, "no gradient for \(name)")
            expectMatches(grad, g, tolerance: 1e-6, "d loss / d \(name)")
        }
        for (name, b) in c.buffers {
            let buffer = try #require(model.parameter(named: name))
            expectClose(buffer.value.scalars, b.data, tolerance: 1e-6, name)
        }
        #expect(model.parameter(named: "1.num_batches_tracked")?.value.item == 1)
        model.eval()
        let evalLogits = withoutGradients { model(x) }
        expectClose(evalLogits.scalars, c.evalLogits.data, tolerance: 1e-5, "eval logits")
    }

    /// One ConvNeXt-style block (BatchNorm 7×7; LayerNorm 9×5) with layer scale: output and every gradient.
    @Test func largeKernelBlockMatchesPyTorch() throws {
        let cases = try VisionFixtures.load().lkBlocks
        #expect(cases.count == 2)
        for c in cases {
            var rng = RandomGenerator(seed: 5)
            let block = LargeKernelBlock(
                channels: c.channels, kernel: KernelSize(c.kernel[0], c.kernel[1]),
                norm: NormalizationKind(rawValue: c.norm)!, layerScale: 1, rng: &rng)
            // PyTorch's names → ours: the block's γ lives in its LayerScale.
            func ours(_ torchName: String) -> String { torchName == "gamma" ? "layer_scale.gamma" : torchName }
            var values: [String: Tensor] = [:]
            for (name, s) in c.parameterSeeds {
                let p = try #require(block.parameter(named: ours(name)), "no parameter \(ours(name))")
                let t = Hashed.tensor(p.shape, seed: s.seed, scale: s.scale)
                values[ours(name)] = c.onePlus.contains(name) ? t + 1 : t
            }
            try block.loadParameters(values, strict: false)
            let what = "\(c.norm) \(c.kernel[0])×\(c.kernel[1])"

            let x = Hashed.tensor([2, c.channels, 12, 12], seed: c.inputSeed, scale: 1).requiringGrad()
            let out = block(x)
            let upstream = Hashed.tensor(out.shape, seed: c.upstreamSeed, scale: 1)
            (out * upstream).sum().backward()
            expectClose(out.scalars, c.output.data, tolerance: 1e-5, "\(what) output")
            for (name, g) in c.grads {
                let grad = name == "input" ? x.grad : block.parameter(named: ours(name))?.grad
                let mine = try #require(grad, "\(what): no gradient for \(name)")
                #expect(mine.shape == g.shape)
                expectClose(mine.scalars, g.data, tolerance: 2e-5, "\(what) d / d \(name)")
            }
        }
    }
}

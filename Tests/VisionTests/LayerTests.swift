import Foundation
import TensorEngine
import TensorNN
import TestSupport
import Testing

/// The vision layers: names, buffers and checkpoints, initialisation, modes, and channel slicing.
@Suite struct LayerTests {
    @Test func conv2dHasPyTorchNamesShapesAndInitialisation() {
        var rng = RandomGenerator(seed: 1)
        let conv = Conv2d(inChannels: 6, outChannels: 4, kernelSize: (3, 5), padding: (1, 2), groups: 2, rng: &rng)
        #expect(conv.namedParameters().map(\.name) == ["weight", "bias"])
        #expect(conv.weight.shape == [4, 3, 3, 5] && conv.bias?.shape == [4])
        let bound = 1 / Float(3 * 3 * 5).squareRoot()
        #expect(conv.weight.value.scalars.allSatisfy { Swift.abs($0) <= bound })
        #expect(conv.weight.value.scalars.contains { Swift.abs($0) > bound / 2 })
        let y = conv(Tensor.zeros([2, 6, 7, 9]))
        #expect(y.shape == [2, 4, 7, 9], "same padding keeps a non-square kernel's resolution")
        #expect(Conv2d(3, 8, kernelSize: 3, bias: false, rng: &rng).namedParameters().map(\.name) == ["weight"])
    }

    @Test func batchNormBuffersAreSavedButNotTrained() throws {
        let bn = BatchNorm2d(3)
        #expect(bn.namedParameters().map(\.name) == ["weight", "bias", "running_mean", "running_var",
                                                     "num_batches_tracked"])
        #expect(bn.namedBuffers().map(\.name) == ["running_mean", "running_var", "num_batches_tracked"])
        #expect(bn.trainableParameters().map(\.name) == ["weight", "bias"])
        #expect(bn.parameterCount == 6)
        let unfrozen = try bn.unfreeze()
        #expect(unfrozen == ["weight", "bias"])
        #expect(bn.runningMean.isFrozen, "unfreezing everything leaves buffers frozen")

        // Training updates the running statistics (momentum 0.1, unbiased variance); evaluation uses them.
        var rng = RandomGenerator(seed: 2)
        let x = Tensor.normal([4, 3, 5, 5], mean: 2, std: 3, using: &rng)
        let optimizer = SGD(bn.namedParameters(), lr: 0.1)
        bn(x).sum().backward()
        optimizer.step()
        let mean = x.mean(axes: [0, 2, 3]).scalars
        let variance = x.variance(axes: [0, 2, 3], unbiased: true).scalars
        expectClose(bn.runningMean.value.scalars, mean.map { 0.1 * $0 }, tolerance: 1e-5, "running mean")
        expectClose(bn.runningVar.value.scalars, variance.map { 0.9 + 0.1 * $0 }, tolerance: 1e-5, "running var")
        #expect(bn.numBatchesTracked.value.item == 1)
        #expect(bn.runningMean.grad == nil, "buffers get no gradient")

        // A checkpoint carries the buffers; loading restores them bit for bit.
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-vision-bn-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try Checkpoint(step: 1, pluginID: "model.test", model: bn).write(to: url)
        let fresh = BatchNorm2d(3)
        try Checkpoint.read(from: url).restore(into: fresh)
        #expect(fresh.runningMean.value.scalars == bn.runningMean.value.scalars)
        #expect(fresh.runningVar.value.scalars == bn.runningVar.value.scalars)
        #expect(fresh.numBatchesTracked.value.item == 1)
        fresh.eval()
        bn.eval()
        #expect(fresh(x).scalars == bn(x).scalars)
        #expect(bn.runningMean.value.scalars == fresh.runningMean.value.scalars, "evaluation changes nothing")
    }

    @Test func batchNormRecalibrationAndReset() {
        var rng = RandomGenerator(seed: 3)
        let x = Tensor.normal([8, 2, 3, 3], mean: -1, std: 2, using: &rng)
        let bn = BatchNorm2d(2, momentum: nil)
        bn.statisticsMode = .recalibrate
        let y = bn(x)
        #expect(y.scalars == x.scalars.map { $0 / (1 + 1e-5 as Float).squareRoot() }, "normalised with the old statistics")
        expectClose(bn.runningMean.value.scalars, x.mean(axes: [0, 2, 3]).scalars, tolerance: 1e-5, "cumulative mean")
        bn.resetRunningStatistics()
        #expect(bn.runningMean.value.scalars == [0, 0] && bn.runningVar.value.scalars == [1, 1])
    }

    @Test func dropoutAndDropPathFollowTheMode() {
        let x = Tensor.ones([64, 4, 2, 2])
        let dropout = Dropout(probability: 0.5, rng: RandomGenerator(seed: 4))
        let dropped = dropout(x).scalars
        #expect(Set(dropped) == [0, 2])
        let path = DropPath(probability: 0.5, rng: RandomGenerator(seed: 5))
        let y = path(x)
        for n in 0..<64 {
            let sample = Set(y.scalars[(n * 16)..<((n + 1) * 16)])
            #expect(sample == [0] || sample == [2], "one decision per sample")
        }
        #expect(dropout(x).scalars != dropped, "the stream moves on")
        dropout.eval()
        path.eval()
        #expect(dropout(x).scalars == x.scalars && path(x).scalars == x.scalars)
    }

    @Test func poolingFlattenLayerScaleAndLayerNorm() {
        var rng = RandomGenerator(seed: 6)
        let x = Tensor.normal([2, 3, 8, 8], using: &rng)
        #expect(MaxPool2d(kernel: 2)(x).shape == [2, 3, 4, 4])
        #expect(AvgPool2d(kernel: 3, stride: 1, padding: 1)(x).shape == [2, 3, 8, 8])
        #expect(GlobalAvgPool()(x).shape == [2, 3])
        #expect(GlobalAvgPool(keepingDims: true)(x).shape == [2, 3, 1, 1])
        #expect(Flatten()(x).shape == [2, 192])
        let ls = LayerScale(3, initialValue: 0.5)
        #expect(ls.namedParameters().map(\.name) == ["gamma"])
        expectClose(ls(x).scalars, x.scalars.map { $0 * 0.5 }, tolerance: 0, "layer scale")
        // LayerNorm2d normalises every position over the channels.
        let ln = LayerNorm2d(3)(x)
        let perPosition = ln.mean(axes: [1]).scalars
        #expect(perPosition.allSatisfy { Swift.abs($0) < 1e-5 })
        expectClose(LayerNorm([8])(x).scalars, x.layerNorm().scalars, tolerance: 0, "LayerNorm over the last axis")
    }

    /// Slicing a conv's output channels, the matching BN channels and the next conv's inputs gives the same result
    /// as the full network on the kept channels when the removed channels carry zeros.
    @Test func channelSlicingKeepsTheChosenChannels() {
        var rng = RandomGenerator(seed: 7)
        let conv = Conv2d(3, 6, kernelSize: 3, padding: 1, rng: &rng)
        let bn = BatchNorm2d(6)
        bn.eval()
        let next = Conv2d(6, 4, kernelSize: 1, rng: &rng)
        let x = Tensor.normal([2, 3, 5, 5], using: &rng)
        let keep = [4, 0, 2]
        let full = bn(conv(x))
        let sliced = bn.keeping(keep)(conv.keeping(outputs: keep)(x))
        expectClose(sliced.scalars, full.keeping(keep, along: 1).scalars, tolerance: 1e-6, "conv + BN outputs")
        let nextSliced = next.keeping(inputs: keep)
        #expect(nextSliced.weight.shape == [4, 3, 1, 1])
        let zeroed = full * Tensor([1, 6, 1, 1], [1, 0, 1, 0, 1, 0])
        expectClose(nextSliced(sliced).scalars, next(zeroed).scalars, tolerance: 1e-5, "next conv's inputs")
        // Depthwise: one channel list for both sides.
        let dw = Conv2d(6, 6, kernelSize: 3, padding: 1, groups: 6, rng: &rng)
        let dwSliced = dw.keeping(outputs: keep)
        #expect(dwSliced.weight.shape == [3, 1, 3, 3] && dwSliced.options.groups == 3)
        expectClose(dwSliced(full.keeping(keep, along: 1)).scalars, dw(full).keeping(keep, along: 1).scalars,
                    tolerance: 1e-6, "depthwise")
        let linear = Linear(inputs: 6, outputs: 5, rng: &rng)
        let l = linear.keeping(outputs: [1, 3], inputs: keep)
        #expect(l.weight.shape == [2, 3] && l.bias?.count == 2)
        #expect(l.weight.value[0, 1] == linear.weight.value[1, 0])
    }

    @Test func modelsHaveTheirReferenceNames() {
        var rng = RandomGenerator(seed: 8)
        let resnet = ResNet(ResNetConfig(depth: 8, width: 4), rng: &rng)
        let names = resnet.namedParameters().map(\.name)
        #expect(names.first == "conv1.weight" && names.last == "fc.bias")
        #expect(names.contains("layer2.0.downsample.0.weight") && names.contains("layer3.0.bn2.running_var"))
        #expect(!names.contains("layer1.0.downsample.0.weight"))
        let lk = LargeKernelCNN(.mini(kernel: 7), rng: &rng)
        let lkNames = lk.namedParameters().map(\.name)
        #expect(lkNames.contains("downsample_layers.0.0.weight") && lkNames.contains("downsample_layers.1.1.weight"))
        #expect(lkNames.contains("stages.1.1.dwconv.weight") && lkNames.contains("stages.0.0.layer_scale.gamma"))
        #expect(lkNames.contains("norm.weight") && lkNames.last == "head.bias")
        #expect(lk.parameter(named: "stages.0.0.dwconv.weight")?.shape == [32, 1, 7, 7])
        let bench = LargeKernelCNN(.benchLKCNN, rng: &rng)
        #expect(bench.parameterCount == 193_354, "torch_ref.py's lkcnn has 193,354 parameters")
        #expect(ConvNet(.benchCNN, rng: &rng).parameterCount == 94_762, "torch_ref.py's cnn has 94,762 parameters")
    }
}

import PluginAPI
import TensorEngine
import TensorNN

/// `model.convnet`: a plain CNN on images (``ConvNet``): convolution stages (conv, optional BatchNorm,
/// activation), global average pooling and a linear classifier. The defaults are WORKLOADS.md's `cnn` model.
struct ConvNetPlugin: ModelPlugin {
    struct Config: PluginConfig {
        var channels = [32, 64, 128]
        var strides = [1, 2, 2]
        var kernel = 3
        var batchNorm = true
        var activation = ActivationFunction.relu
        static let documentation: [String: FieldDoc] = [
            "channels": FieldDoc("Output channels of each convolution stage, input side first.", range: .atLeast(1)),
            "strides": FieldDoc(
                "Stride of each stage's convolution: one value for every stage, or one per stage.", range: .atLeast(1)),
            "kernel": FieldDoc(
                "Square kernel size of every convolution; padding is kernel // 2 on each side.", range: .atLeast(1)),
            "batch_norm": FieldDoc("BatchNorm after each convolution (the convolutions then have no bias)."),
            "activation": FieldDoc("Nonlinearity after each stage.", choices: ActivationFunction.self),
        ]
        func validate(_ v: inout ConfigValidator) {
            v.check(!channels.isEmpty, key: "channels", "must list at least one stage")
            v.check(
                strides.count == 1 || strides.count == channels.count, key: "strides",
                "must hold one value or one per stage (\(channels.count))")
        }

        /// The network's configuration for images of `channels` channels in `classes` classes.
        func network(inChannels: Int, classes: Int) -> ConvNetConfig {
            let stages = channels.indices.map { i in
                ConvNetConfig.Stage(
                    channels: channels[i], kernel: kernel, stride: strides.count == 1 ? strides[0] : strides[i],
                    padding: kernel / 2)
            }
            return ConvNetConfig(
                inChannels: inChannels, stages: stages, batchNorm: batchNorm, activation: activation, classes: classes)
        }
    }
    static let descriptor = PluginDescriptor(
        id: "model.convnet", kind: .model, version: "1.0.0",
        summary: "Plain CNN on images: conv–BatchNorm–activation stages, global average pool, linear",
        config: Config.self)
    static let input = ModelInput.images

    static func makeModel(_ c: Config, task: TaskInfo, using rng: inout RandomGenerator) throws -> any Layer {
        let image = try task.imageShape(for: descriptor.id)
        let network = c.network(inChannels: image.channels, classes: task.classCount)
        var (h, w) = (image.height, image.width)
        for stage in network.stages {
            h = (h + 2 * stage.padding - stage.kernel) / stage.stride + 1
            w = (w + 2 * stage.padding - stage.kernel) / stage.stride + 1
            guard h >= 1 && w >= 1 else {
                throw imagesTooSmall(
                    descriptor.id, height: image.height, width: image.width,
                    need: "shrinks images below 1×1 (kernel \(c.kernel), strides \(c.strides))")
            }
        }
        return ConvNet(network, rng: &rng)
    }
}

import PluginAPI
import TensorEngine
import TensorNN

/// `model.resnet`: a CIFAR-style ResNet of BasicBlocks (``ResNet``): a 3×3 stem, three stages of n blocks of
/// widths w, 2w, 4w (the second and third halving the resolution), global average pooling and a linear classifier.
/// Depth 6n + 2 counts the convolutions and the classifier: 20, 32, 44, 56, 110 as in He et al. (2016).
struct ResNetPlugin: ModelPlugin {
    struct Config: PluginConfig {
        var depth = 20
        var width = 16
        static let documentation: [String: FieldDoc] = [
            "depth": FieldDoc(
                "Layers, 6n + 2 for n blocks per stage: 8, 14, 20, 32, 44, 56, 110, ….", range: .atLeast(8)),
            "width": FieldDoc("Channels of the first stage; the others have 2× and 4× as many.", range: .atLeast(1)),
        ]
        func validate(_ v: inout ConfigValidator) {
            v.check((depth - 2) % 6 == 0, key: "depth", "must be 6n + 2 (8, 14, 20, 32, …), got \(depth)")
        }
    }
    static let descriptor = PluginDescriptor(
        id: "model.resnet", kind: .model, version: "1.0.0",
        summary: "CIFAR-style ResNet (BasicBlocks, 3 stages), depth 6n + 2 and width configurable",
        config: Config.self)
    static let input = ModelInput.images

    static func makeModel(_ c: Config, task: TaskInfo, using rng: inout RandomGenerator) throws -> any Layer {
        let image = try task.imageShape(for: descriptor.id)
        // 3×3 convolutions with padding 1 never shrink an image below 1×1, even at stride 2.
        return ResNet(
            ResNetConfig(depth: c.depth, width: c.width, inChannels: image.channels, classes: task.classCount),
            rng: &rng)
    }
}

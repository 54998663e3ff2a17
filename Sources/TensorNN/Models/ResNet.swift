public import TensorEngine

/// A CIFAR-style ResNet of BasicBlocks (He et al. 2016, §4.2): a 3×3 stem, stages of blocks whose first block may
/// halve the resolution, global average pooling and a linear classifier.
public struct ResNetConfig: Sendable, Codable, Equatable {
    /// Input channels.
    public var inChannels: Int
    /// Output classes.
    public var classes: Int
    /// Blocks per stage.
    public var blocks: [Int]
    /// Channels per stage; the stem has the first stage's width. Every stage after the first starts with stride 2.
    public var widths: [Int]

    /// A configuration from its parts.
    public init(inChannels: Int = 3, classes: Int = 10, blocks: [Int], widths: [Int]) {
        precondition(!blocks.isEmpty && blocks.count == widths.count && blocks.allSatisfy { $0 >= 1 },
                     "ResNetConfig: \(blocks.count) stage depths for \(widths.count) widths")
        self.inChannels = inChannels
        self.classes = classes
        self.blocks = blocks
        self.widths = widths
    }

    /// ResNet-`depth` for CIFAR (depth = 6n + 2: 20, 32, 44, 56, 110): three stages of n blocks with widths
    /// `width`, 2·`width`, 4·`width` (16 in the paper).
    public init(depth: Int, width: Int = 16, inChannels: Int = 3, classes: Int = 10) {
        precondition(depth >= 8 && (depth - 2) % 6 == 0, "ResNetConfig: depth \(depth) is not 6n + 2")
        let n = (depth - 2) / 6
        self.init(inChannels: inChannels, classes: classes, blocks: [n, n, n], widths: [width, 2 * width, 4 * width])
    }
}

/// Two 3×3 convolutions with BatchNorm and ReLU and a residual connection: y = relu(bn2(conv2(relu(bn1(conv1 x))))
/// + shortcut(x)). The shortcut is the identity, or (when the stride or width changes) `downsample`, a 1×1
/// convolution with BatchNorm as in torchvision.
public final class BasicBlock: Layer {
    /// Training mode.
    public var isTraining = true
    /// 3×3, carries the block's stride.
    public let conv1: Conv2d
    /// After `conv1`.
    public let bn1: BatchNorm2d
    /// 3×3, stride 1.
    public let conv2: Conv2d
    /// After `conv2`.
    public let bn2: BatchNorm2d
    /// 1×1 convolution and BatchNorm on the shortcut when the shape changes; nil for the identity.
    public let downsample: Sequential?

    /// A block from `inChannels` to `outChannels` with the given stride.
    public init(inChannels: Int, outChannels: Int, stride: Int = 1, rng: inout RandomGenerator) {
        conv1 = Conv2d(inChannels, outChannels, kernelSize: 3, stride: stride, padding: 1, bias: false, rng: &rng)
        bn1 = BatchNorm2d(outChannels)
        conv2 = Conv2d(outChannels, outChannels, kernelSize: 3, padding: 1, bias: false, rng: &rng)
        bn2 = BatchNorm2d(outChannels)
        downsample = stride != 1 || inChannels != outChannels
            ? Sequential([Conv2d(inChannels, outChannels, kernelSize: 1, stride: stride, bias: false, rng: &rng),
                          BatchNorm2d(outChannels)])
            : nil
    }

    /// `[N, C, H, W]` → `[N, O, H/stride, W/stride]`; records on the graph.
    public func forward(_ x: Tensor) -> Tensor {
        let y = bn2(conv2(bn1(conv1(x)).relu()))
        return (y + (downsample?.forward(x) ?? x)).relu()
    }
}

/// A ResNet built from a `ResNetConfig`, with torchvision's names: `conv1`, `bn1`, `layer1.0.conv1.weight`, …,
/// `fc`.
public final class ResNet: Layer {
    /// Training mode.
    public var isTraining = true
    /// The 3×3 stem convolution (no bias).
    public let conv1: Conv2d
    /// The stem's BatchNorm.
    public let bn1: BatchNorm2d
    /// One `Sequential` of BasicBlocks per stage, named `layer1`, `layer2`, ….
    public let stages: [Sequential]
    /// The linear classifier on pooled features.
    public let fc: Linear

    /// The network for `config`, initialised as PyTorch's layers from `rng`.
    public init(_ config: ResNetConfig, rng: inout RandomGenerator) {
        let stem = config.widths[0]
        conv1 = Conv2d(config.inChannels, stem, kernelSize: 3, padding: 1, bias: false, rng: &rng)
        bn1 = BatchNorm2d(stem)
        var width = stem
        var stages: [Sequential] = []
        for (i, (n, w)) in zip(config.blocks, config.widths).enumerated() {
            var blocks: [any Layer] = []
            for b in 0..<n {
                let stride = i > 0 && b == 0 ? 2 : 1
                blocks.append(BasicBlock(inChannels: width, outChannels: w, stride: stride, rng: &rng))
                width = w
            }
            stages.append(Sequential(blocks))
        }
        self.stages = stages
        fc = Linear(inputs: width, outputs: config.classes, rng: &rng)
    }

    /// None of its own.
    public var directParameters: [NamedParameter] { [] }
    /// `conv1`, `bn1`, `layer1` … `layerN`, `fc`.
    public var directChildren: [(name: String, module: any Module)] {
        [("conv1", conv1), ("bn1", bn1)] + stages.enumerated().map { ("layer\($0.offset + 1)", $0.element) }
            + [("fc", fc)]
    }

    /// `[N, C, H, W]` → logits `[N, classes]`; records on the graph.
    public func forward(_ x: Tensor) -> Tensor {
        var h = bn1(conv1(x)).relu()
        for stage in stages { h = stage(h) }
        return fc(h.globalAvgPool2d())
    }
}

public import TensorEngine

/// A plain CNN: convolution stages (conv, optional BatchNorm, activation), global average pooling and a linear
/// classifier, as a value that a spec can carry.
public struct ConvNetConfig: Sendable, Codable, Equatable {
    /// One convolution stage.
    public struct Stage: Sendable, Codable, Equatable {
        /// Output channels.
        public var channels: Int
        /// Square kernel size.
        public var kernel: Int
        /// Stride.
        public var stride: Int
        /// Zero padding on every side.
        public var padding: Int

        /// A stage of `channels` outputs (3×3, stride 1, padding 1 by default).
        public init(channels: Int, kernel: Int = 3, stride: Int = 1, padding: Int = 1) {
            self.channels = channels
            self.kernel = kernel
            self.stride = stride
            self.padding = padding
        }
    }

    /// Input channels (3 for RGB).
    public var inChannels: Int
    /// The convolution stages, first applied first.
    public var stages: [Stage]
    /// BatchNorm after each convolution (the convolutions then have no bias).
    public var batchNorm: Bool
    /// The nonlinearity after each stage.
    public var activation: ActivationFunction
    /// Output classes.
    public var classes: Int

    /// A configuration from its parts.
    public init(inChannels: Int = 3, stages: [Stage], batchNorm: Bool = true, activation: ActivationFunction = .relu,
                classes: Int = 10) {
        self.inChannels = inChannels
        self.stages = stages
        self.batchNorm = batchNorm
        self.activation = activation
        self.classes = classes
    }

    /// The `cnn` benchmark model of WORKLOADS.md: conv3×3 3→32 (no bias), BN, ReLU; conv3×3 32→64 stride 2, BN,
    /// ReLU; conv3×3 64→128 stride 2, BN, ReLU; global average pool; Linear 128→10.
    public static let benchCNN = ConvNetConfig(stages: [
        Stage(channels: 32), Stage(channels: 64, stride: 2), Stage(channels: 128, stride: 2),
    ])
}

/// A plain CNN built from a `ConvNetConfig`. Its layers are those of the `torch.nn.Sequential` PyTorch would write
/// (Conv2d, BatchNorm2d, activation per stage, then AdaptiveAvgPool2d(1), Flatten, Linear) and carry the same
/// names, `0.weight`, `1.running_mean`, …, so checkpoints and PyTorch state dicts map one to one.
public final class ConvNet: Layer {
    /// Training mode.
    public var isTraining = true
    /// The layers in order.
    public let body: Sequential
    /// The configuration built.
    public let config: ConvNetConfig

    /// The network for `config`, initialised as PyTorch's layers from `rng`.
    public init(_ config: ConvNetConfig, rng: inout RandomGenerator) {
        precondition(!config.stages.isEmpty, "ConvNet: no convolution stages")
        self.config = config
        var layers: [any Layer] = []
        var width = config.inChannels
        for s in config.stages {
            layers.append(Conv2d(width, s.channels, kernelSize: s.kernel, stride: s.stride, padding: s.padding,
                                 bias: !config.batchNorm, rng: &rng))
            if config.batchNorm { layers.append(BatchNorm2d(s.channels)) }
            layers.append(config.activation.layer())
            width = s.channels
        }
        layers += [GlobalAvgPool(keepingDims: true), Flatten(), Linear(inputs: width, outputs: config.classes, rng: &rng)]
        self.body = Sequential(layers)
    }

    /// None of its own.
    public var directParameters: [NamedParameter] { [] }
    /// The body's layers, named `0`, `1`, … (no `body.` prefix).
    public var directChildren: [(name: String, module: any Module)] { body.directChildren }

    /// `[N, C, H, W]` → logits `[N, classes]`; records on the graph. In evaluation without gradients (and with
    /// ReLU stages) the convolution stages run fused, BatchNorm folded into the convolutions (`inferenceStages`).
    public func forward(_ x: Tensor) -> Tensor {
        if !isTraining && !GradMode.isEnabled, let stages = inferenceStages() {
            let classifier = body.layers[body.layers.count - 1]
            return classifier(x.convolutionChain(stages, globalAveragePool: true))
        }
        return body.forward(x)
    }

    /// The convolution stages with evaluation-mode BatchNorm folded in — w′ = w·γ/√(σ² + ε),
    /// b′ = (b − μ)·γ/√(σ² + ε) + β — for `Tensor.convolutionChain`; nil when the network cannot run fused
    /// (an activation other than ReLU, or a BatchNorm that is training or recalibrating).
    public func inferenceStages() -> [ConvolutionStage]? {
        guard config.activation == .relu else { return nil }
        let perStage = config.batchNorm ? 3 : 2
        return withoutGradients {
            var stages: [ConvolutionStage] = []
            for i in config.stages.indices {
                guard let conv = body.layers[i * perStage] as? Conv2d else { return nil }
                var w = conv.weight.value.detached()
                var b = conv.bias?.value.detached() ?? Tensor.zeros([conv.outChannels])
                if config.batchNorm {
                    guard let bn = body.layers[i * perStage + 1] as? BatchNorm2d, !bn.isTraining,
                          bn.statisticsMode == nil || bn.statisticsMode == .eval else { return nil }
                    let scale = (bn.weight?.value ?? .ones([bn.channels])) / (bn.runningVar.value + bn.eps).sqrt()
                    w = w * scale.reshaped([conv.outChannels, 1, 1, 1])
                    b = (b - bn.runningMean.value) * scale + (bn.bias?.value ?? .zeros([bn.channels]))
                }
                stages.append(ConvolutionStage(weight: w, bias: b, options: conv.options, relu: true))
            }
            return stages
        }
    }
}

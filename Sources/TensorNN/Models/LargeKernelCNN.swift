public import TensorEngine

/// One ConvNeXt-style block on `[N, C, H, W]`:
///
///     y = dwconv(x)            depthwise k×k (groups C, bias), padding k//2
///     y = norm(y)              BatchNorm2d or LayerNorm over channels
///     y = pwconv2(gelu(pwconv1(y)))      1×1 C → eC → C (with bias)
///     y = layer_scale(y)       γ ⊙ y, when on
///     out = x + drop_path(y)
///
/// The pointwise layers are 1×1 convolutions on the channels-first tensor (ConvNeXt's Linear layers on a
/// channels-last one compute the same), so no permutes are needed with BatchNorm.
public final class LargeKernelBlock: Layer {
    /// Training mode.
    public var isTraining = true
    /// Depthwise k×k convolution.
    public let dwconv: Conv2d
    /// BatchNorm2d or LayerNorm2d over the channels.
    public let norm: any Layer
    /// 1×1 expansion C → eC.
    public let pwconv1: Conv2d
    /// 1×1 projection eC → C.
    public let pwconv2: Conv2d
    /// Per-channel γ, or nil.
    public let layerScale: LayerScale?
    /// Stochastic depth on the branch, or nil.
    public let dropPath: DropPath?

    /// A block of `channels` with a `kernel` depthwise convolution.
    public init(
        channels: Int, kernel: KernelSize, norm: NormalizationKind, expansion: Int = 4, layerScale: Float? = nil,
        dropPath: Float = 0, rng: inout RandomGenerator
    ) {
        dwconv = Conv2d(inChannels: channels, outChannels: channels, kernelSize: (kernel.height, kernel.width),
                        padding: (kernel.height / 2, kernel.width / 2), groups: channels, rng: &rng)
        self.norm = norm.layer(channels)
        pwconv1 = Conv2d(channels, expansion * channels, kernelSize: 1, rng: &rng)
        pwconv2 = Conv2d(expansion * channels, channels, kernelSize: 1, rng: &rng)
        self.layerScale = layerScale.map { LayerScale(channels, initialValue: $0) }
        // Each block's own stream, keyed by the draw position, so blocks drop independently.
        self.dropPath = dropPath > 0 ? DropPath(probability: dropPath, rng: rng.derived(rng.offset)) : nil
        if dropPath > 0 { _ = Tensor.uniform([4], using: &rng) }
    }

    /// `[N, C, H, W]` → same shape; records on the graph.
    public func forward(_ x: Tensor) -> Tensor {
        var y = pwconv2(pwconv1(norm(dwconv(x))).gelu())
        if let layerScale { y = layerScale(y) }
        if let dropPath { y = dropPath(y) }
        return x + y
    }
}

/// A ConvNeXt-style large-kernel CNN built from a `LargeKernelCNNConfig`, with ConvNeXt's names:
/// `downsample_layers.0` (the stem: conv, norm), `downsample_layers.i` (norm, conv) before stage i,
/// `stages.i.j` (blocks), `norm` (on pooled features), `head`.
public final class LargeKernelCNN: Layer {
    /// Training mode.
    public var isTraining = true
    /// The stem, then one downsampling layer before each later stage.
    public let downsampleLayers: [Sequential]
    /// One `Sequential` of blocks per stage.
    public let stages: [Sequential]
    /// Norm on the pooled features, or nil.
    public let norm: (any Layer)?
    /// Linear classifier (the identity when `classes` is 0).
    public let head: any Layer
    /// The configuration built.
    public let config: LargeKernelCNNConfig

    /// The network for `config`, initialised as PyTorch's layers from `rng` (layer scale at its initial value).
    public init(_ c: LargeKernelCNNConfig, rng: inout RandomGenerator) {
        config = c
        var downsample: [Sequential] = []
        var stem: [any Layer] = [Conv2d(c.inChannels, c.widths[0], kernelSize: c.stemPatch, stride: c.stemPatch, rng: &rng)]
        if c.stemNorm { stem.append(c.norm.layer(c.widths[0])) }
        downsample.append(Sequential(stem))
        for i in 1..<c.widths.count {
            downsample.append(Sequential([
                c.norm.layer(c.widths[i - 1]),
                Conv2d(c.widths[i - 1], c.widths[i], kernelSize: c.downsamplePatch, stride: c.downsamplePatch, rng: &rng),
            ]))
        }
        let total = c.depths.reduce(0, +)
        var index = 0
        var stages: [Sequential] = []
        for (i, width) in c.widths.enumerated() {
            var blocks: [any Layer] = []
            for _ in 0..<c.depths[i] {
                let rate = total > 1 ? c.dropPath * Float(index) / Float(total - 1) : 0
                blocks.append(LargeKernelBlock(channels: width, kernel: c.kernel(ofStage: i), norm: c.norm,
                                               expansion: c.expansion, layerScale: c.layerScale, dropPath: rate, rng: &rng))
                index += 1
            }
            stages.append(Sequential(blocks))
        }
        downsampleLayers = downsample
        self.stages = stages
        let features = c.widths.last!
        norm = c.headNorm ? (c.norm == .batch ? BatchNorm2d(features) as any Layer : LayerNorm([features], eps: 1e-6)) : nil
        head = c.classes > 0 ? Linear(inputs: features, outputs: c.classes, rng: &rng) : Identity()
    }

    /// `[N, C, H, W]` → pooled features `[N, D]` (after the final norm, before the head).
    public func features(_ x: Tensor) -> Tensor {
        var h = x
        for (down, stage) in zip(downsampleLayers, stages) { h = stage(down(h)) }
        let pooled = h.globalAvgPool2d()
        return norm?.forward(pooled) ?? pooled
    }

    /// `[N, C, H, W]` → logits `[N, classes]`; records on the graph.
    public func forward(_ x: Tensor) -> Tensor { head.forward(features(x)) }
}

extension NormalizationKind {
    /// A norm layer over the channels of `[N, C, H, W]`: BatchNorm2d, or LayerNorm2d with ConvNeXt's eps 1e-6.
    public func layer(_ channels: Int) -> any Layer {
        switch self {
        case .batch: return BatchNorm2d(channels)
        case .layer: return LayerNorm2d(channels)
        }
    }
}

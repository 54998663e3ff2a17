/// The normalisation a large-kernel CNN uses in its blocks, stem and downsampling layers.
public enum NormalizationKind: String, Sendable, Codable, CaseIterable {
    /// BatchNorm2d (the "BN instead of LN" tweak; fusable into the convolution at inference).
    case batch
    /// LayerNorm over channels (ConvNeXt's default).
    case layer
}

/// A convolution kernel's height and width (non-square kernels such as 31×5 allowed).
public struct KernelSize: Sendable, Codable, Equatable {
    /// Rows.
    public var height: Int
    /// Columns.
    public var width: Int

    /// A `height`×`width` kernel.
    public init(_ height: Int, _ width: Int) {
        precondition(height >= 1 && width >= 1, "KernelSize: \(height)×\(width)")
        self.height = height
        self.width = width
    }

    /// A square `size`×`size` kernel.
    public init(_ size: Int) { self.init(size, size) }
}

/// A ConvNeXt-style large-kernel CNN (ssl-large-kernel.md §2): a patchify stem, stages of blocks
/// [depthwise k×k → norm → 1×1 expand → GELU → 1×1 project → layer scale → drop path, plus the residual], norm +
/// strided convolution between stages, global average pooling, an optional final norm and a linear head.
public struct LargeKernelCNNConfig: Sendable, Codable, Equatable {
    /// Input channels.
    public var inChannels: Int
    /// Output classes; 0 makes the head the identity (the backbone's pooled features come out).
    public var classes: Int
    /// Channels per stage.
    public var widths: [Int]
    /// Blocks per stage.
    public var depths: [Int]
    /// Depthwise kernel per stage (one entry applies to every stage). Padding is k//2 on each side, so odd kernels
    /// keep the resolution.
    public var kernelSizes: [KernelSize]
    /// Stem patch size: a kernel = stride convolution (4 in ConvNeXt).
    public var stemPatch: Int
    /// Downsampling patch size between stages (2 in ConvNeXt).
    public var downsamplePatch: Int
    /// Normalisation in blocks, after the stem and before each downsampling convolution.
    public var norm: NormalizationKind
    /// Whether a norm follows the stem convolution.
    public var stemNorm: Bool
    /// Whether the pooled features are normalised before the head.
    public var headNorm: Bool
    /// Hidden width of a block's pointwise MLP, as a multiple of the stage width.
    public var expansion: Int
    /// Initial layer-scale γ; nil turns layer scale off.
    public var layerScale: Float?
    /// Largest drop-path rate; the rate grows linearly from 0 over the blocks, as in ConvNeXt.
    public var dropPath: Float

    /// A configuration from its parts (defaults: ConvNeXt's recipe with kernel 7).
    public init(
        inChannels: Int = 3, classes: Int = 10, widths: [Int], depths: [Int], kernelSizes: [KernelSize] = [KernelSize(7)],
        stemPatch: Int = 4, downsamplePatch: Int = 2, norm: NormalizationKind = .layer, stemNorm: Bool = true,
        headNorm: Bool = true, expansion: Int = 4, layerScale: Float? = 1e-6, dropPath: Float = 0
    ) {
        precondition(!widths.isEmpty && widths.count == depths.count, "LargeKernelCNNConfig: \(depths) depths for \(widths) widths")
        precondition(kernelSizes.count == 1 || kernelSizes.count == widths.count,
                     "LargeKernelCNNConfig: \(kernelSizes.count) kernel sizes for \(widths.count) stages")
        precondition(dropPath >= 0 && dropPath < 1, "LargeKernelCNNConfig: drop-path rate \(dropPath)")
        self.inChannels = inChannels
        self.classes = classes
        self.widths = widths
        self.depths = depths
        self.kernelSizes = kernelSizes
        self.stemPatch = stemPatch
        self.downsamplePatch = downsamplePatch
        self.norm = norm
        self.stemNorm = stemNorm
        self.headNorm = headNorm
        self.expansion = expansion
        self.layerScale = layerScale
        self.dropPath = dropPath
    }

    /// The depthwise kernel of stage `i`.
    public func kernel(ofStage i: Int) -> KernelSize { kernelSizes.count == 1 ? kernelSizes[0] : kernelSizes[i] }

    /// ConvNeXt-T: depths (3, 3, 9, 3), widths (96, 192, 384, 768), LayerNorm, layer scale 1e-6; kernel 7 by default.
    public static func convNeXtTiny(kernel: Int = 7, classes: Int = 1000, dropPath: Float = 0.1) -> Self {
        Self(classes: classes, widths: [96, 192, 384, 768], depths: [3, 3, 9, 3], kernelSizes: [KernelSize(kernel)],
             dropPath: dropPath)
    }

    /// The CPU miniature of ssl-large-kernel.md §5: stem 2×2 stride 2, depths (2, 2), widths (32, 64).
    public static func mini(kernel: Int, classes: Int = 10, norm: NormalizationKind = .layer) -> Self {
        Self(classes: classes, widths: [32, 64], depths: [2, 2], kernelSizes: [KernelSize(kernel)], stemPatch: 2,
             norm: norm)
    }

    /// The `lkcnn` benchmark model of WORKLOADS.md: conv 4×4 stride 4 3→64 (with bias), two blocks of
    /// [depthwise 31×31 → BatchNorm → 1×1 64→256 → GELU → 1×1 256→64, residual], global average pool,
    /// Linear 64→10 — no stem or head norm, no layer scale, no drop path.
    public static let benchLKCNN = Self(
        widths: [64], depths: [2], kernelSizes: [KernelSize(31)], norm: .batch, stemNorm: false, headNorm: false,
        layerScale: nil)
}

public import TensorEngine

/// Max pooling of `[N, C, H, W]` (`torch.nn.MaxPool2d`); the stride defaults to the kernel.
public final class MaxPool2d: Layer {
    /// Training mode (no effect on this layer's computation).
    public var isTraining = true
    /// Window, step and zero padding, per direction.
    public let kernel: (h: Int, w: Int), stride: (h: Int, w: Int), padding: (h: Int, w: Int)

    /// Square windows of `kernel`, stride `stride` (default: the kernel), padding `padding`.
    public init(kernel: Int, stride: Int? = nil, padding: Int = 0) {
        self.kernel = (kernel, kernel)
        self.stride = (stride ?? kernel, stride ?? kernel)
        self.padding = (padding, padding)
    }

    /// None.
    public var directParameters: [NamedParameter] { [] }
    /// None.
    public var directChildren: [(name: String, module: any Module)] { [] }

    /// `[N, C, H, W]` → `[N, C, OH, OW]`; records on the graph.
    public func forward(_ x: Tensor) -> Tensor { x.maxPool2d(kernel: kernel, stride: stride, padding: padding) }
}

/// Average pooling of `[N, C, H, W]` (`torch.nn.AvgPool2d`, `count_include_pad` by default).
public final class AvgPool2d: Layer {
    /// Training mode (no effect on this layer's computation).
    public var isTraining = true
    /// Window, step and zero padding, per direction.
    public let kernel: (h: Int, w: Int), stride: (h: Int, w: Int), padding: (h: Int, w: Int)
    /// Whether padded zeros count in the divisor.
    public let countPadding: Bool

    /// Square windows of `kernel`, stride `stride` (default: the kernel), padding `padding`.
    public init(kernel: Int, stride: Int? = nil, padding: Int = 0, countPadding: Bool = true) {
        self.kernel = (kernel, kernel)
        self.stride = (stride ?? kernel, stride ?? kernel)
        self.padding = (padding, padding)
        self.countPadding = countPadding
    }

    /// None.
    public var directParameters: [NamedParameter] { [] }
    /// None.
    public var directChildren: [(name: String, module: any Module)] { [] }

    /// `[N, C, H, W]` → `[N, C, OH, OW]`; records on the graph.
    public func forward(_ x: Tensor) -> Tensor {
        x.avgPool2d(kernel: kernel, stride: stride, padding: padding, countPadding: countPadding)
    }
}

/// The mean of each channel plane: `[N, C, H, W]` → `[N, C]`, or `[N, C, 1, 1]` when `keepingDims`
/// (`torch.nn.AdaptiveAvgPool2d(1)`).
public final class GlobalAvgPool: Layer {
    /// Training mode (no effect on this layer's computation).
    public var isTraining = true
    /// Whether the pooled spatial dimensions stay as size 1.
    public let keepingDims: Bool

    /// Pooling to `[N, C]`, or to `[N, C, 1, 1]` when `keepingDims`.
    public init(keepingDims: Bool = false) { self.keepingDims = keepingDims }

    /// None.
    public var directParameters: [NamedParameter] { [] }
    /// None.
    public var directChildren: [(name: String, module: any Module)] { [] }

    /// Records on the graph (a mean over the spatial axes).
    public func forward(_ x: Tensor) -> Tensor {
        let pooled = x.globalAvgPool2d()
        return keepingDims ? pooled.reshaped(pooled.shape + [1, 1]) : pooled
    }
}

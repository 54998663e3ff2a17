public import TensorEngine

/// 2-D convolution with PyTorch's layout and names: weight `[O, C/groups, KH, KW]`, bias `[O]`; input
/// `[N, C, H, W]` → `[N, O, OH, OW]`.
public final class Conv2d: Layer {
    /// Training mode (no effect on this layer's computation).
    public var isTraining = true
    /// `[O, C/groups, KH, KW]`.
    public let weight: Parameter
    /// `[O]`, or nil for a convolution without bias.
    public let bias: Parameter?
    /// Stride, padding, dilation and groups.
    public let options: Conv2DOptions

    /// A convolution initialised as `torch.nn.Conv2d`: weight from kaiming-uniform with a = √5, which is
    /// U(−1/√fan_in, 1/√fan_in) with fan_in = C/groups·KH·KW, and bias from the same range, drawn from `rng`
    /// (weight first). Non-square kernels, strides and paddings take `(h, w)` pairs; padding is applied to both
    /// sides of each direction.
    public init(
        inChannels: Int, outChannels: Int, kernelSize: (h: Int, w: Int), stride: (h: Int, w: Int) = (1, 1),
        padding: (h: Int, w: Int) = (0, 0), dilation: Int = 1, groups: Int = 1, bias: Bool = true,
        rng: inout RandomGenerator
    ) {
        precondition(inChannels > 0 && outChannels > 0 && groups > 0
                     && inChannels % groups == 0 && outChannels % groups == 0,
                     "Conv2d: \(inChannels)→\(outChannels) channels do not split into \(groups) groups")
        precondition(kernelSize.h > 0 && kernelSize.w > 0, "Conv2d: kernel \(kernelSize)")
        let fanIn = inChannels / groups * kernelSize.h * kernelSize.w
        let bound = Float(1 / Double(fanIn).squareRoot())
        let shape = [outChannels, inChannels / groups, kernelSize.h, kernelSize.w]
        self.weight = Parameter(Tensor.uniform(shape, low: -bound, high: bound, using: &rng))
        self.bias = bias ? Parameter(Tensor.uniform([outChannels], low: -bound, high: bound, using: &rng)) : nil
        self.options = Conv2DOptions(stride: stride, padding: (padding.h, padding.h, padding.w, padding.w),
                                     dilation: (dilation, dilation), groups: groups)
    }

    /// A square-kernel convolution (`torch.nn.Conv2d(in, out, k, stride, padding, …)`).
    public convenience init(
        _ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
        dilation: Int = 1, groups: Int = 1, bias: Bool = true, rng: inout RandomGenerator
    ) {
        self.init(inChannels: inChannels, outChannels: outChannels, kernelSize: (kernelSize, kernelSize),
                  stride: (stride, stride), padding: (padding, padding), dilation: dilation, groups: groups,
                  bias: bias, rng: &rng)
    }

    /// A convolution with the given weight `[O, C/groups, KH, KW]`, optional bias `[O]` and options.
    public init(weight: Tensor, bias: Tensor? = nil, options: Conv2DOptions = Conv2DOptions()) {
        precondition(weight.rank == 4, "Conv2d: weight must be [O, C/groups, KH, KW], got \(weight.shape)")
        precondition(bias == nil || bias!.shape == [weight.shape[0]], "Conv2d: bias \(bias!.shape) for \(weight.shape)")
        self.weight = Parameter(weight)
        self.bias = bias.map { Parameter($0) }
        self.options = options
    }

    /// Input channels.
    public var inChannels: Int { weight.shape[1] * options.groups }
    /// Output channels.
    public var outChannels: Int { weight.shape[0] }
    /// Whether every output channel sees only its own input channel.
    public var isDepthwise: Bool { options.groups > 1 && options.groups == inChannels && options.groups == outChannels }

    /// `[N, C, H, W]` → `[N, O, OH, OW]`; records on the graph.
    public func forward(_ x: Tensor) -> Tensor { x.conv2d(weight: weight.value, bias: bias?.value, options: options) }
}

public import TensorEngine

/// Layer normalisation over the trailing dimensions `normalizedShape` (`torch.nn.LayerNorm`): parameters `weight`
/// (ones) and `bias` (zeros) of that shape.
public final class LayerNorm: Layer {
    /// Training mode (no effect on this layer's computation).
    public var isTraining = true
    /// γ, shaped like the normalised dimensions; nil without affine parameters.
    public let weight: Parameter?
    /// β, shaped like the normalised dimensions; nil without affine parameters.
    public let bias: Parameter?
    /// The trailing dimensions normalised together.
    public let normalizedShape: [Int]
    /// Added to the variance.
    public var eps: Float

    /// A layer normalising over the trailing `normalizedShape` (`[C]` for channels-last features).
    public init(_ normalizedShape: [Int], eps: Float = 1e-5, affine: Bool = true) {
        precondition(!normalizedShape.isEmpty && normalizedShape.allSatisfy { $0 > 0 }, "LayerNorm: \(normalizedShape)")
        self.normalizedShape = normalizedShape
        self.weight = affine ? Parameter(.ones(normalizedShape)) : nil
        self.bias = affine ? Parameter(.zeros(normalizedShape)) : nil
        self.eps = eps
    }

    /// Normalises over the last dimension of width `width` (transformer blocks).
    public convenience init(_ width: Int, eps: Float = 1e-5) { self.init([width], eps: eps) }

    /// Normalises `[…, normalizedShape…]`, same shape out; records on the graph.
    public func forward(_ x: Tensor) -> Tensor {
        x.layerNorm(weight: weight?.value, bias: bias?.value, normalizedRank: normalizedShape.count, eps: eps)
    }
}

/// Layer normalisation over the channels of `[N, C, H, W]` at every position (ConvNeXt's channels-first
/// LayerNorm): parameters `weight` and `bias` `[C]`. Composite: permutes to channels-last, normalises, permutes back.
public final class LayerNorm2d: Layer {
    /// Training mode (no effect on this layer's computation).
    public var isTraining = true
    /// γ `[C]`.
    public let weight: Parameter
    /// β `[C]`.
    public let bias: Parameter
    /// Added to the variance.
    public var eps: Float

    /// γ = 1, β = 0 over `channels`; ConvNeXt uses eps 1e-6.
    public init(_ channels: Int, eps: Float = 1e-6) {
        precondition(channels > 0, "LayerNorm2d: \(channels) channels")
        self.weight = Parameter(.ones([channels]))
        self.bias = Parameter(.zeros([channels]))
        self.eps = eps
    }

    /// `[N, C, H, W]` → same shape; records on the graph.
    public func forward(_ x: Tensor) -> Tensor {
        precondition(x.rank == 4, "LayerNorm2d: input must be [N, C, H, W], got \(x.shape)")
        return x.permuted([0, 2, 3, 1]).layerNorm(weight: weight.value, bias: bias.value, eps: eps)
            .permuted([0, 3, 1, 2])
    }
}

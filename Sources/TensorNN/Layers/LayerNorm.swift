public import TensorEngine

/// Layer normalisation over the trailing `normalizedShape` dimensions, as `torch.nn.LayerNorm`: weight starts at
/// ones, bias at zeros, biased variance, `eps` inside the square root.
public final class LayerNorm: Layer {
    /// Training mode (no effect on this layer's computation).
    public var isTraining = true
    /// Scale, shaped like the normalised dimensions (nil without an elementwise affine).
    public let weight: Parameter?
    /// Shift, shaped like the normalised dimensions (nil without an elementwise affine).
    public let bias: Parameter?
    /// The trailing dimensions normalised together.
    public let normalizedShape: [Int]
    /// Added to the variance.
    public let eps: Float

    /// Normalises the trailing `normalizedShape` (e.g. `[d]`) dimensions.
    public init(_ normalizedShape: [Int], eps: Float = 1e-5, elementwiseAffine: Bool = true) {
        precondition(!normalizedShape.isEmpty && normalizedShape.allSatisfy { $0 > 0 },
                     "LayerNorm: invalid normalized shape \(normalizedShape)")
        self.normalizedShape = normalizedShape
        self.eps = eps
        self.weight = elementwiseAffine ? Parameter(Tensor.ones(normalizedShape)) : nil
        self.bias = elementwiseAffine ? Parameter(Tensor.zeros(normalizedShape)) : nil
    }

    /// Normalises over the last dimension of width `width`.
    public convenience init(_ width: Int, eps: Float = 1e-5) { self.init([width], eps: eps) }

    /// Same shape as x, whose trailing dimensions must equal `normalizedShape`; records (fused backward).
    public func forward(_ x: Tensor) -> Tensor {
        x.layerNorm(weight: weight?.value, bias: bias?.value, normalizedRank: normalizedShape.count, eps: eps)
    }
}

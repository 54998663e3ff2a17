public import TensorEngine

/// Simulated low precision for a ``Linear``: `y = Q_in(x)·Q_w(W)ᵀ + b`, as Stable-SPAM's 4-bit runs
/// (methods/spam.md §c). Master weights, gradients and optimizer state stay float32; both quantisers are
/// straight-through, so dW = dyᵀ·Q_in(x), dx = dy·Q_w(W), and the update lands on the full-precision W.
///
/// Groups run along the layer's input features (a weight `[out, in]` row by row, an input `[..., in]` token by
/// token), so the group size must divide the input width.
public struct LinearQuantization: Sendable, Equatable {
    /// Applied to the weight `[out, in]`.
    public var weights: FakeQuantization
    /// Applied to the input `[..., in]`.
    public var inputs: FakeQuantization

    /// Weight and input quantisers; both must have a group size dividing the layer's input width.
    public init(weights: FakeQuantization, inputs: FakeQuantization) {
        self.weights = weights
        self.inputs = inputs
    }

    /// Whether a layer reading `inputWidth` features can use these quantisers (groups must not straddle rows).
    public func fits(inputWidth: Int) -> Bool {
        inputWidth % weights.groupSize == 0 && inputWidth % inputs.groupSize == 0
    }
}

/// The precisions a model can simulate, by the names specs use.
public enum SimulatedPrecision: String, Sendable, CaseIterable, Codable {
    /// Full float32 (no quantisation).
    case fp32
    /// W4A4: asymmetric min/max INT4 weights, symmetric INT4 inputs with the top-2 |x| of each group kept exact.
    case int4
    /// The code's uniform 9-level "FP4" grid with top-2 outliers, on weights and inputs alike.
    case fp4

    /// The quantisers with `groupSize` elements per group, nil for fp32.
    public func quantization(groupSize: Int) -> LinearQuantization? {
        switch self {
        case .fp32: nil
        case .int4:
            LinearQuantization(
                weights: FakeQuantization(.intAsymmetric(bits: 4), groupSize: groupSize),
                inputs: FakeQuantization(.intSymmetric(bits: 4, outliers: 2), groupSize: groupSize))
        case .fp4:
            LinearQuantization(
                weights: FakeQuantization(.fp4Uniform(outliers: 2), groupSize: groupSize),
                inputs: FakeQuantization(.fp4Uniform(outliers: 2), groupSize: groupSize))
        }
    }
}

public import TensorEngine
public import TensorNN

/// A linear layer run in simulated low precision, as Stable-SPAM's 4-bit experiments (methods/spam.md §c):
/// `y = Q_act(x) · Q_w(W)ᵀ + b` with master weights, gradients and optimizer state in float32. Both quantisers are
/// straight-through, so dW = dyᵀ·Q_act(x), dx = dy·Q_w(W), and the update lands on the full-precision W; works
/// with any optimizer. Parameters are `weight` `[out, in]` and `bias` `[out]`, as ``Linear``'s.
public final class QuantizedLinear: Layer {
    /// Training mode (no effect on this layer's computation).
    public var isTraining = true
    /// `[out, in]`, full precision.
    public let weight: Parameter
    /// `[out]`, never quantised.
    public let bias: Parameter?
    /// Applied to the weight (grouped along `in`) and to the input (grouped along the features).
    public let weightQuantizer: LowBitQuantizer
    public let activationQuantizer: LowBitQuantizer

    /// Takes over `linear`'s parameters.
    public init(_ linear: Linear, weights: LowBitQuantizer, activations: LowBitQuantizer) {
        weight = linear.weight
        bias = linear.bias
        weightQuantizer = weights
        activationQuantizer = activations
    }

    /// `[..., in]` → `[..., out]`; records on the graph.
    public func forward(_ x: Tensor) -> Tensor {
        x.simulatedLowBit(activationQuantizer).linear(
            weight: weight.value.simulatedLowBit(weightQuantizer), bias: bias?.value)
    }
}

/// The precisions a model can simulate.
public enum SimulatedPrecision: String, Sendable, CaseIterable, Codable {
    /// Full float32 (no quantisation).
    case fp32
    /// W4A4: asymmetric INT4 weights, symmetric INT4 activations with top-2 outliers.
    case int4
    /// The uniform FP4 grid with top-2 outliers on weights and activations.
    case fp4

    /// The weight and activation quantisers, nil for fp32.
    public func quantizers(groupSize: Int) -> (weights: LowBitQuantizer, activations: LowBitQuantizer)? {
        switch self {
        case .fp32: nil
        case .int4:
            (
                LowBitQuantizer(.int4Asymmetric, groupSize: groupSize),
                LowBitQuantizer(.int4SymmetricTop2, groupSize: groupSize)
            )
        case .fp4:
            (
                LowBitQuantizer(.fp4UniformTop2, groupSize: groupSize),
                LowBitQuantizer(.fp4UniformTop2, groupSize: groupSize)
            )
        }
    }
}

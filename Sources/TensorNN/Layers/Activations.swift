public import TensorEngine

/// An elementwise nonlinearity, as a value (for configurations) that makes a layer.
public enum ActivationFunction: String, Sendable, Codable, CaseIterable {
    case relu, gelu
    case geluTanh = "gelu_tanh"
    case tanh, sigmoid, silu
    case leakyRelu = "leaky_relu"
    case identity

    /// The function applied to `x` (leaky ReLU with slope 0.01); records on the graph.
    public func apply(_ x: Tensor) -> Tensor {
        switch self {
        case .relu: return x.relu()
        case .gelu: return x.gelu()
        case .geluTanh: return x.gelu(approximateTanh: true)
        case .tanh: return x.tanh()
        case .sigmoid: return x.sigmoid()
        case .silu: return x * x.sigmoid()
        case .leakyRelu: return x.leakyRelu()
        case .identity: return x
        }
    }

    /// A parameterless layer applying this function.
    public func layer() -> any Layer {
        switch self {
        case .relu: return ReLU()
        case .gelu: return GELU()
        case .tanh: return Tanh()
        case .sigmoid: return Sigmoid()
        case .silu: return SiLU()
        default: return Activation(self)
        }
    }
}

/// A parameterless layer applying an `ActivationFunction` elementwise. `ReLU()`, `GELU()`, … are the usual
/// spellings.
public class Activation: Layer {
    /// Training mode (no effect on this layer's computation).
    public var isTraining = true
    /// The function applied.
    public let function: ActivationFunction
    /// A layer applying `function`.
    public init(_ function: ActivationFunction) { self.function = function }
    /// None.
    public var directParameters: [NamedParameter] { [] }
    /// None.
    public var directChildren: [(name: String, module: any Module)] { [] }
    /// `function(x)`, same shape; records on the graph.
    public func forward(_ x: Tensor) -> Tensor { function.apply(x) }
}

/// max(x, 0).
public final class ReLU: Activation { public init() { super.init(.relu) } }
/// Exact (erf) GELU.
public final class GELU: Activation { public init() { super.init(.gelu) } }
/// tanh.
public final class Tanh: Activation { public init() { super.init(.tanh) } }
/// The logistic sigmoid.
public final class Sigmoid: Activation { public init() { super.init(.sigmoid) } }
/// x·σ(x).
public final class SiLU: Activation { public init() { super.init(.silu) } }

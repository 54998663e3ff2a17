public import TensorEngine

/// Flattens the dimensions from `start` on into one (`torch.nn.Flatten`): `[N, C, H, W]` → `[N, C·H·W]`.
public final class Flatten: Layer {
    /// Training mode (no effect on this layer's computation).
    public var isTraining = true
    /// The first dimension merged.
    public let start: Int

    /// Flattening from dimension `start` (1 keeps the batch dimension).
    public init(from start: Int = 1) { self.start = start }

    /// None.
    public var directParameters: [NamedParameter] { [] }
    /// None.
    public var directChildren: [(name: String, module: any Module)] { [] }

    /// A reshape sharing storage; records on the graph.
    public func forward(_ x: Tensor) -> Tensor { x.flattened(from: start) }
}

/// Passes its input through unchanged (a placeholder where a configuration turns a layer off).
public final class Identity: Layer {
    /// Training mode (no effect).
    public var isTraining = true
    /// The identity layer.
    public init() {}
    /// None.
    public var directParameters: [NamedParameter] { [] }
    /// None.
    public var directChildren: [(name: String, module: any Module)] { [] }
    /// `x` itself.
    public func forward(_ x: Tensor) -> Tensor { x }
}

/// Per-channel learned scale γ (CaiT / ConvNeXt layer scale): parameter `gamma` `[C]`, initialised to a small
/// constant (1e-6 in ConvNeXt) so that a residual branch starts near zero.
public final class LayerScale: Layer {
    /// Training mode (no effect on this layer's computation).
    public var isTraining = true
    /// γ `[C]`.
    public let gamma: Parameter
    /// The axis of the input that holds the channels: 1 for `[N, C, H, W]`, −1 for channels-last.
    public let channelAxis: Int

    /// γ = `initialValue` over `channels`, multiplying along `channelAxis`.
    public init(_ channels: Int, initialValue: Float = 1e-6, channelAxis: Int = 1) {
        precondition(channels > 0, "LayerScale: \(channels) channels")
        self.gamma = Parameter(.full([channels], initialValue))
        self.channelAxis = channelAxis
    }

    /// x·γ broadcast along the channel axis, same shape; records on the graph.
    public func forward(_ x: Tensor) -> Tensor {
        let axis = channelAxis < 0 ? channelAxis + x.rank : channelAxis
        precondition(axis >= 0 && axis < x.rank && x.shape[axis] == gamma.shape[0],
                     "LayerScale: input \(x.shape) has no \(gamma.shape[0]) channels on axis \(channelAxis)")
        var shape = [Int](repeating: 1, count: x.rank)
        shape[axis] = gamma.shape[0]
        return x * gamma.value.reshaped(shape)
    }
}

public import TensorEngine

/// Layers applied in order; children are named by position (`0`, `1`, …) as in `torch.nn.Sequential`.
public final class Sequential: Layer {
    /// Training mode (no effect on this layer's computation).
    public var isTraining = true
    /// The layers, first applied first.
    public private(set) var layers: [any Layer]

    /// The layers in application order.
    public init(_ layers: [any Layer]) { self.layers = layers }

    /// None.
    public var directParameters: [NamedParameter] { [] }
    /// The layers, named `0`, `1`, … by position.
    public var directChildren: [(name: String, module: any Module)] {
        layers.enumerated().map { ("\($0.offset)", $0.element as any Module) }
    }

    /// Appends a layer at the end.
    public func append(_ layer: any Layer) { layers.append(layer) }

    /// Each layer's output is the next one's input; records on the graph.
    public func forward(_ x: Tensor) -> Tensor { layers.reduce(x) { $1.forward($0) } }
}

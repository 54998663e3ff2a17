public import TensorEngine

/// A multilayer perceptron: Linear, activation, …, Linear, with parameters `layers.0.weight`, `layers.0.bias`,
/// `layers.2.weight`, … — the names `nn.Sequential` gives the same stack inside a module's `layers` attribute.
public final class MLP: Layer {
    /// Training mode (no effect on this layer's computation).
    public var isTraining = true
    /// Linear and activation layers, alternating; the last layer is Linear (no output activation).
    public let layers: Sequential

    /// `inputs` → each width in `hidden` → `outputs`, every Linear initialised like PyTorch's from `rng`.
    public init(
        inputs: Int, hidden: [Int], outputs: Int, activation: ActivationFunction = .relu,
        rng: inout RandomGenerator
    ) {
        var stack: [any Layer] = []
        var width = inputs
        for h in hidden {
            stack.append(Linear(inputs: width, outputs: h, rng: &rng))
            stack.append(activation.layer())
            width = h
        }
        stack.append(Linear(inputs: width, outputs: outputs, rng: &rng))
        self.layers = Sequential(stack)
    }

    /// `[B, inputs]` → logits `[B, outputs]`; records on the graph.
    public func forward(_ x: Tensor) -> Tensor { layers.forward(x) }
}

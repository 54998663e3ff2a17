public import TensorEngine

/// y = x·Wᵀ + b with PyTorch's layout: weight `[out, in]`, bias `[out]`; input `[..., in]` → `[..., out]`.
public final class Linear: Layer {
    /// Training mode (no effect on this layer's computation).
    public var isTraining = true
    /// `[out, in]`.
    public let weight: Parameter
    /// `[out]`, or nil for a layer without bias.
    public let bias: Parameter?
    /// Simulated low precision of the weight and the input (straight-through); nil computes in float32.
    /// Its group sizes must divide ``inputs``.
    public var quantization: LinearQuantization? = nil {
        didSet {
            precondition(quantization?.fits(inputWidth: inputs) ?? true,
                         "Linear: quantisation groups of \(quantization!) do not divide the \(inputs) input features")
        }
    }

    /// A layer initialised as `torch.nn.Linear`: weight from kaiming-uniform with a = √5, which is
    /// U(−1/√in, 1/√in), and bias from U(−1/√in, 1/√in), drawn from `rng` (weight first).
    public init(inputs: Int, outputs: Int, bias: Bool = true, rng: inout RandomGenerator) {
        precondition(inputs > 0 && outputs > 0, "Linear: sizes must be positive, got \(inputs)→\(outputs)")
        // kaiming_uniform_(a=√5): gain = √(2/(1+a²)) = √(1/3), bound = gain·√(3/fan_in) = 1/√fan_in.
        let bound = Float(1 / Double(inputs).squareRoot())
        self.weight = Parameter(Tensor.uniform([outputs, inputs], low: -bound, high: bound, using: &rng))
        self.bias = bias ? Parameter(Tensor.uniform([outputs], low: -bound, high: bound, using: &rng)) : nil
    }

    /// A layer with the given weight `[out, in]` and optional bias `[out]`.
    public init(weight: Tensor, bias: Tensor? = nil) {
        precondition(weight.rank == 2, "Linear: weight must be [out, in], got \(weight.shape)")
        if let bias {
            precondition(bias.shape == [weight.shape[0]], "Linear: bias \(bias.shape) for weight \(weight.shape)")
        }
        self.weight = Parameter(weight)
        self.bias = bias.map { Parameter($0) }
    }

    /// Input features.
    public var inputs: Int { weight.shape[1] }
    /// Output features.
    public var outputs: Int { weight.shape[0] }

    /// `[..., in]` → `[..., out]`; records on the graph.
    public func forward(_ x: Tensor) -> Tensor {
        guard let q = quantization else { return x.linear(weight: weight.value, bias: bias?.value) }
        // The bias is never quantised (the papers' recipe).
        return x.fakeQuantized(q.inputs).linear(weight: weight.value.fakeQuantized(q.weights), bias: bias?.value)
    }
}

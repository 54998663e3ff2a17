public import TensorEngine

/// A graph convolution (Kipf and Welling): X [N, in] → Â·X·Wᵀ + b [N, out], with Â a normalised adjacency
/// (`SparseMatrix.addingSelfLoops().symmetricallyNormalized()`). Weight `[out, in]` (Linear's layout), bias
/// `[out]` added after the aggregation. The product is ordered to aggregate the narrower side:
/// Â·(X·Wᵀ) when out ≤ in, (Â·X)·Wᵀ otherwise (equal in exact arithmetic).
public final class GraphConvolution: Module {
    /// Training mode (no effect on this layer's computation).
    public var isTraining = true
    /// `[out, in]`.
    public let weight: Parameter
    /// `[out]`, or nil.
    public let bias: Parameter?

    /// A layer with Glorot (Xavier) uniform weights, U(±√(6/(in + out))), drawn from `rng`, and a zero bias.
    public init(inputs: Int, outputs: Int, bias: Bool = true, rng: inout RandomGenerator) {
        precondition(inputs > 0 && outputs > 0, "GraphConvolution: sizes must be positive, got \(inputs)→\(outputs)")
        let bound = Float((6 / Double(inputs + outputs)).squareRoot())
        self.weight = Parameter(Tensor.uniform([outputs, inputs], low: -bound, high: bound, using: &rng))
        self.bias = bias ? Parameter(Tensor.zeros([outputs])) : nil
    }

    /// Input features.
    public var inputs: Int { weight.shape[1] }
    /// Output features.
    public var outputs: Int { weight.shape[0] }

    /// x [N, in] with Â [N, N] → [N, out]; records on the graph (Â's values too, if they are on it).
    public func forward(_ x: Tensor, adjacency: SparseMatrix) -> Tensor {
        precondition(x.rank == 2 && x.shape[1] == inputs && adjacency.cols == x.shape[0],
                     "GraphConvolution: input \(x.shape), adjacency \(adjacency.shape), weight \(weight.shape)")
        let h = outputs <= inputs
            ? adjacency.matmul(x.linear(weight: weight.value))
            : adjacency.matmul(x).linear(weight: weight.value)
        guard let bias else { return h }
        return h + bias.value
    }
}

public import TensorEngine

/// A GraphSAGE layer with the mean aggregator: each node's features concatenated with the mean of its
/// neighbours' features, then one Linear: h'ᵢ = W·[hᵢ ‖ mean_{j∈N(i)} hⱼ] + b. Parameters `lin.weight`
/// `[out, 2·in]`, `lin.bias`.
public final class SAGEConvolution: Module {
    /// Training mode (no effect on this layer's computation).
    public var isTraining = true
    /// The joint projection of self and neighbourhood features.
    public let lin: Linear

    /// A layer `inputs` → `outputs`, initialised like PyTorch's Linear from `rng`.
    public init(inputs: Int, outputs: Int, rng: inout RandomGenerator) {
        self.lin = Linear(inputs: 2 * inputs, outputs: outputs, rng: &rng)
    }

    /// x [N, in] with the neighbour-mean operator M = D⁻¹A [N, N] (`adjacency.rowNormalized()`, no self-loops)
    /// → [N, out]. Records on the graph.
    public func forward(_ x: Tensor, neighbourMean m: SparseMatrix) -> Tensor {
        lin(Tensor.concatenate([x, m.matmul(x)], axis: 1))
    }
}

public import TensorEngine

/// The two-layer GCN of the `gcn` benchmark: H = ReLU(Â·X·W1 + b1), dropout, logits = Â·H·W2 + b2.
/// Parameters `conv1.weight`, `conv1.bias`, `conv2.weight`, `conv2.bias`.
public final class GCN: Module {
    /// Training mode: dropout is active only while training.
    public var isTraining = true
    /// Input features → hidden.
    public let conv1: GraphConvolution
    /// Hidden → class logits.
    public let conv2: GraphConvolution
    /// Dropout probability on the hidden layer.
    public let dropout: Float

    /// `inputs` → `hidden` → `classes`, weights drawn from `rng` (conv1 first).
    public init(inputs: Int, hidden: Int, classes: Int, dropout: Float = 0.5, rng: inout RandomGenerator) {
        precondition((0..<1).contains(dropout), "GCN: dropout \(dropout) outside [0, 1)")
        self.conv1 = GraphConvolution(inputs: inputs, outputs: hidden, rng: &rng)
        self.conv2 = GraphConvolution(inputs: hidden, outputs: classes, rng: &rng)
        self.dropout = dropout
    }

    /// Logits [N, classes] for node features x [N, inputs] on the normalised adjacency Â; dropout masks come from
    /// `rng` while training. Records on the graph.
    public func forward(_ x: Tensor, adjacency: SparseMatrix, rng: inout RandomGenerator) -> Tensor {
        let h = conv1.forward(x, adjacency: adjacency).relu()
        return conv2.forward(h.dropout(probability: dropout, training: isTraining, using: &rng), adjacency: adjacency)
    }
}

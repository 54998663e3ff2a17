public import TensorEngine

/// A two-layer GraphSAGE (mean aggregator): ReLU and dropout between the layers. Parameters `conv1.lin.*`,
/// `conv2.lin.*`.
public final class GraphSAGE: Module {
    /// Training mode: dropout is active only while training.
    public var isTraining = true
    /// Input features → hidden.
    public let conv1: SAGEConvolution
    /// Hidden → class logits.
    public let conv2: SAGEConvolution
    /// Dropout probability on the hidden layer.
    public let dropout: Float

    /// `inputs` → `hidden` → `classes`, weights drawn from `rng` (conv1 first).
    public init(inputs: Int, hidden: Int, classes: Int, dropout: Float = 0.5, rng: inout RandomGenerator) {
        precondition((0..<1).contains(dropout), "GraphSAGE: dropout \(dropout) outside [0, 1)")
        self.conv1 = SAGEConvolution(inputs: inputs, outputs: hidden, rng: &rng)
        self.conv2 = SAGEConvolution(inputs: hidden, outputs: classes, rng: &rng)
        self.dropout = dropout
    }

    /// Logits [N, classes] for x [N, inputs] with the neighbour-mean operator M = D⁻¹A; dropout masks come from
    /// `rng` while training. Records on the graph.
    public func forward(_ x: Tensor, neighbourMean m: SparseMatrix, rng: inout RandomGenerator) -> Tensor {
        let h = conv1.forward(x, neighbourMean: m).relu()
        return conv2.forward(h.dropout(probability: dropout, training: isTraining, using: &rng), neighbourMean: m)
    }
}

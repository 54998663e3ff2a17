import TensorEngine
import TensorNN

/// A two-layer graph network that maps every node's features to logits by propagating over one fixed operator
/// (Â for a GCN, the neighbour mean for GraphSAGE).
protocol NodeClassifierNetwork: Module {
    /// Logits `[N, classes]` for features `[N, F]`; dropout masks come from `rng` while training. Records.
    func logits(features: Tensor, propagation: SparseMatrix, rng: inout RandomGenerator) -> Tensor
}

extension GCN: NodeClassifierNetwork {
    func logits(features: Tensor, propagation: SparseMatrix, rng: inout RandomGenerator) -> Tensor {
        forward(features, adjacency: propagation, rng: &rng)
    }
}

extension GraphSAGE: NodeClassifierNetwork {
    func logits(features: Tensor, propagation: SparseMatrix, rng: inout RandomGenerator) -> Tensor {
        forward(features, neighbourMean: propagation, rng: &rng)
    }
}

/// A graph network bound to its task's graph, so it is a `Layer` like any other model: node ids `[B]` →
/// logits `[B, classes]`.
///
/// Each forward propagates over the whole graph (a node's logits depend on its neighbours' features, and theirs on
/// their neighbours'), then keeps the rows of the batch's nodes; with the whole train mask as one batch that is
/// the usual full-batch training. Parameters carry the network's own names (`conv1.weight`, …), so a checkpoint
/// reads the same as the bare network's.
final class GraphNodeModel<Network: NodeClassifierNetwork>: Layer, RandomStreamOwner {
    /// The network's training mode, which switches its dropout.
    var isTraining: Bool {
        get { network.isTraining }
        set { network.isTraining = newValue }
    }
    let network: Network
    /// Every node's features `[N, F]`.
    let features: Tensor
    /// The operator the network propagates over, `[N, N]`.
    let propagation: SparseMatrix
    /// The stream dropout masks are drawn from (the model's own, like ``Dropout``'s; checkpoints save it).
    var rng: RandomGenerator

    init(network: Network, features: Tensor, propagation: SparseMatrix, dropoutStream: RandomGenerator) {
        precondition(
            features.rank == 2 && propagation.shape == [features.shape[0], features.shape[0]],
            "GraphNodeModel: features \(features.shape) with operator \(propagation.shape)")
        self.network = network
        self.features = features
        self.propagation = propagation
        self.rng = dropoutStream
    }

    /// None of its own.
    var directParameters: [NamedParameter] { [] }
    /// The network's layers, without a prefix.
    var directChildren: [(name: String, module: any Module)] { network.directChildren }

    /// Node ids `[B]` (integers as floats) → logits `[B, classes]`; records on the graph.
    func forward(_ nodes: Tensor) -> Tensor {
        precondition(nodes.rank == 1, "GraphNodeModel: expects node ids [B], got shape \(nodes.shape)")
        let all = network.logits(features: features, propagation: propagation, rng: &rng)
        return all.indexSelect(axis: 0, indices: nodes)
    }
}

extension TaskGraph {
    /// The 0/1 adjacency of the edges (entry (d, s) for an edge s → d), self-loops in the edge list dropped.
    func adjacency() -> SparseMatrix {
        var sources: [Int] = []
        var destinations: [Int] = []
        for (s, d) in zip(edges.source, edges.destination) where s != d {
            sources.append(Int(s))
            destinations.append(Int(d))
        }
        return SparseMatrix.adjacency(nodes: nodeCount, sources: sources, destinations: destinations)
    }
}

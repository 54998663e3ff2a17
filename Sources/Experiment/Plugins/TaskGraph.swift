public import TensorEngine

/// The one graph of a node-classification task, for models that propagate over it (``ModelInput/graphNodes``).
///
/// Such a model is built once for the whole graph: it keeps every node's features (test nodes too, as in the
/// usual transductive setting) and the edges, and its batches are node ids.
public struct TaskGraph: Sendable, Equatable {
    /// Directed edges; an undirected graph lists each edge in both directions.
    public var edges: EdgeList
    /// Every node's features, row-major `[N, F]`.
    public var features: [Float]
    /// Features per node `F`.
    public var featureCount: Int

    /// A graph from its edges and node features `[N, F]` (`N` must be the edge list's node count).
    public init(edges: EdgeList, features: Tensor) {
        precondition(
            features.rank == 2 && features.shape[0] == edges.nodeCount,
            "TaskGraph: features \(features.shape) for \(edges.nodeCount) nodes")
        self.edges = edges
        self.features = features.scalars
        self.featureCount = features.shape[1]
    }

    /// The graph of a graph dataset.
    public init(_ dataset: GraphDataset) { self.init(edges: dataset.edges, features: dataset.features) }

    /// Number of nodes `N`.
    public var nodeCount: Int { edges.nodeCount }
    /// The features as a tensor `[N, F]` (a fresh copy, off the graph).
    public func featureTensor() -> Tensor { Tensor([nodeCount, featureCount], features) }
}

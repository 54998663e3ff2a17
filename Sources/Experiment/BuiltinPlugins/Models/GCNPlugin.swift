import PluginAPI
import TensorEngine
import TensorNN

/// `model.gcn`: a two-layer graph convolutional network (Kipf and Welling) for node classification:
/// H = ReLU(Â·X·W1 + b1), dropout, logits = Â·H·W2 + b2, with Â = D^-1/2 (A + I) D^-1/2 (``GCN``). The defaults
/// are WORKLOADS.md's `gcn` model (hidden 64, dropout 0.5); train it full-batch (`batch` at least the number of
/// training nodes).
struct GCNPlugin: ModelPlugin {
    typealias Config = TwoLayerGraphConfig
    static let descriptor = PluginDescriptor(
        id: "model.gcn", kind: .model, version: "1.0.0",
        summary: "Two-layer GCN for node classification on a graph dataset (batches are node ids)",
        config: Config.self)
    static let input = ModelInput.graphNodes

    static func makeModel(_ c: Config, task: TaskInfo, using rng: inout RandomGenerator) throws -> any Layer {
        let graph = try task.graphForModel(descriptor.id)
        let network = GCN(
            inputs: graph.featureCount, hidden: c.hidden, classes: task.classCount, dropout: Float(c.dropout),
            rng: &rng)
        return GraphNodeModel(
            network: network, features: graph.featureTensor(),
            propagation: graph.adjacency().addingSelfLoops().symmetricallyNormalized(),
            dropoutStream: rng.derived(rng.offset))
    }
}

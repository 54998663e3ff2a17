import PluginAPI
import TensorEngine
import TensorNN

/// `model.sage`: a two-layer GraphSAGE with the mean aggregator for node classification:
/// h′ᵢ = W·[hᵢ ‖ mean_{j→i} hⱼ] + b per layer, ReLU and dropout between the layers (``GraphSAGE``). Train it
/// full-batch like `model.gcn`.
struct GraphSAGEPlugin: ModelPlugin {
    typealias Config = TwoLayerGraphConfig
    static let descriptor = PluginDescriptor(
        id: "model.sage", kind: .model, version: "1.0.0",
        summary: "Two-layer GraphSAGE (mean aggregator) for node classification on a graph dataset",
        config: Config.self)
    static let input = ModelInput.graphNodes

    static func makeModel(_ c: Config, task: TaskInfo, using rng: inout RandomGenerator) throws -> any Layer {
        let graph = try task.graphForModel(descriptor.id)
        let network = GraphSAGE(
            inputs: graph.featureCount, hidden: c.hidden, classes: task.classCount, dropout: Float(c.dropout),
            rng: &rng)
        // Entry (i, j) of the adjacency is the edge j → i, so row i averages the messages node i receives.
        return GraphNodeModel(
            network: network, features: graph.featureTensor(), propagation: graph.adjacency().rowNormalized(),
            dropoutStream: rng.derived(rng.offset))
    }
}

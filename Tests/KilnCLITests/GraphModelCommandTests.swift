import Foundation
import Testing

/// A GCN trained and evaluated on a generated graph by the real `kiln run`, and refused by `kiln validate` on
/// data that is not a graph.
@Suite struct GraphModelCommandTests {
    static let spec = """
        seed: 4
        data: {dataset: data.sbm, classes: 3, max_nodes_per_class: 80, homophily: [0.9], average_degree: 8,
               feature_dims: 8, feature_signal: 0.4}
        model: {plugin: model.gcn, hidden: 16}
        optimizer: {plugin: optim.adam, lr: 0.01, weight_decay: 0.0005}
        train: {method: train.supervised, steps: 40, batch: 1000}
        eval: {every: 20, evaluators: [eval.accuracy]}
        checkpoint: {every: 20}
        resources: {threads: 1}
        """

    @Test func kilnRunTrainsAndEvaluatesAGCNOnAGeneratedGraph() async throws {
        let dir = try Scratch()
        try dir.write("gcn.yaml", Self.spec)
        let result = try await KilnProcess.run(["run", "gcn.yaml"], in: dir.url)
        #expect(result.status == 0, "\(result.stderr)")
        let folder = dir.url.appendingPathComponent("gcn.run")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("result.json")))
        let metrics = try #require((json as? [String: Any])?["final_metrics"] as? [String: Any])
        let accuracy = try #require(metrics["test.accuracy"] as? Double)
        // Three classes (chance 1/3) whose features say little; the edges carry the class.
        #expect(accuracy > 0.7, "test accuracy \(accuracy)")
        #expect(
            FileManager.default.fileExists(
                atPath: folder.appendingPathComponent("checkpoints/step-000040.safetensors").path))
    }

    @Test func kilnValidateRefusesAGraphModelOnVectors() async throws {
        let dir = try Scratch()
        try dir.write(
            "blobs.yaml",
            """
            data: {dataset: data.blobs}
            model: {plugin: model.sage}
            optimizer: {plugin: optim.sgd}
            train: {method: train.supervised, steps: 5}
            """)
        let result = try await KilnProcess.run(["validate", "blobs.yaml"], in: dir.url)
        #expect(result.status == 2)
        #expect(
            result.stdout
                == "blobs.yaml:2:17: model.plugin: 'model.sage' classifies the nodes of a graph, but 'data.blobs' gives "
                + "labeled examples, not a graph; graph datasets: data.graph-files, data.sbm\n")
    }
}

import Foundation
import PluginAPI
import Spec
import TensorEngine
import TensorNN
import TestSupport
import Testing

@testable import Experiment

/// The built-in model plugins build, from a spec's `model:` mapping, the networks the bench times and the layers
/// compute; specs that pair a model with data it cannot read are refused with the reason.
@Suite struct ModelPluginTests {
    /// The model a spec's `model:` mapping builds for `task`, through the spec loader and the catalog as
    /// `kiln run` does (the dataset in the spec is only there to make it complete).
    static func model(_ mapping: String, task: TaskInfo, seed: UInt64 = 1) throws -> any Layer {
        let yaml = """
            data: {dataset: data.blobs}
            model: {\(mapping)}
            optimizer: {plugin: optim.sgd}
            train: {method: train.supervised, steps: 1}
            """
        let loader = SpecLoader(registry: RunHarness.catalog.registry)
        let use = try loader.load(yaml: yaml, file: URL(fileURLWithPath: "/tmp/model.yaml")).runs[0].model
        var rng = RandomGenerator(seed: seed)
        return try RunHarness.catalog.model(use.id).makeModel(erased: use.config, task: task, using: &rng)
    }

    /// Every parameter (and buffer) as `path [shape]`, in order.
    static func signature(_ module: any Module) -> [String] {
        module.namedParameters().map { "\($0.name) \($0.parameter.shape)" }
    }

    /// A graph task over `edges` with node features `x` [N, F].
    static func graphTask(_ edges: EdgeList, features x: Tensor, classes: Int) -> TaskInfo {
        TaskInfo(exampleShape: [], classCount: classes, graph: TaskGraph(edges: edges, features: x))
    }

    /// Six nodes: a path 0–1–2–3–4 and the edge 4–5, both directions.
    static let ring = EdgeList(
        nodeCount: 6, source: [0, 1, 1, 2, 2, 3, 3, 4, 4, 5], destination: [1, 0, 2, 1, 3, 2, 4, 3, 5, 4])

    // MARK: The bench's models as configurations

    @Test func benchCNNIsModelConvNetWithItsDefaults() throws {
        let built = try Self.model("plugin: model.convnet", task: TaskInfo(exampleShape: [3, 32, 32], classCount: 10))
        var rng = RandomGenerator(seed: 1)
        let bench = ConvNet(.benchCNN, rng: &rng)
        #expect((built as? ConvNet)?.config == .benchCNN)
        #expect(Self.signature(built) == Self.signature(bench))
        #expect(built.parameterCount == bench.parameterCount && bench.parameterCount > 90_000)
    }

    @Test func benchLKCNNIsAModelLKCNNConfiguration() throws {
        let built = try Self.model(
            """
            plugin: model.lkcnn, widths: [64], depths: [2], kernel_size: [31], stem_patch: 4, norm: batch,
            stem_norm: false, head_norm: false, layer_scale: 0
            """, task: TaskInfo(exampleShape: [3, 64, 64], classCount: 10))
        var rng = RandomGenerator(seed: 1)
        let bench = LargeKernelCNN(.benchLKCNN, rng: &rng)
        #expect((built as? LargeKernelCNN)?.config == .benchLKCNN)
        #expect(Self.signature(built) == Self.signature(bench))
        #expect(Self.signature(built).contains("stages.0.1.dwconv.weight [64, 1, 31, 31]"))
        #expect(built.parameterCount == bench.parameterCount)
    }

    @Test func benchGCNIsModelGCNWithItsDefaults() throws {
        let task = Self.graphTask(Self.ring, features: Tensor.zeros([6, 128]), classes: 8)
        let built = try Self.model("plugin: model.gcn", task: task)
        var rng = RandomGenerator(seed: 1)
        let bench = GCN(inputs: 128, hidden: 64, classes: 8, dropout: 0.5, rng: &rng)
        #expect(Self.signature(built) == Self.signature(bench))
        #expect(
            Self.signature(built) == [
                "conv1.weight [64, 128]", "conv1.bias [64]", "conv2.weight [8, 64]", "conv2.bias [8]",
            ])
        #expect(built.parameterCount == bench.parameterCount)
        let network = try #require((built as? GraphNodeModel<GCN>)?.network)
        #expect(network.dropout == 0.5)
    }

    @Test func resNetDepthAndWidthShapeTheNetwork() throws {
        let built = try Self.model(
            "plugin: model.resnet, depth: 14, width: 8", task: TaskInfo(exampleShape: [1, 12, 12], classCount: 5))
        let names = Self.signature(built)
        // Two blocks per stage (14 = 6·2 + 2), widths 8, 16, 32; the stride-2 blocks get a 1×1 shortcut.
        #expect(names.first == "conv1.weight [8, 1, 3, 3]")
        #expect(names.contains("layer2.1.conv2.weight [16, 16, 3, 3]"))
        #expect(names.contains("layer3.0.downsample.0.weight [32, 16, 1, 1]"))
        #expect(!names.contains { $0.hasPrefix("layer2.1.downsample") })
        #expect(names.last == "fc.bias [5]")
    }

    @Test func largeKernelsMayBeNonSquarePerStage() throws {
        let built = try Self.model(
            "plugin: model.lkcnn, widths: [4, 8], depths: [1, 1], kernel_size: [9, 5], kernel_width: [3]",
            task: TaskInfo(exampleShape: [3, 16, 16], classCount: 2))
        let names = Self.signature(built)
        #expect(names.contains("stages.0.0.dwconv.weight [4, 1, 9, 3]"))
        #expect(names.contains("stages.1.0.dwconv.weight [8, 1, 5, 3]"))
        var rng = RandomGenerator(seed: 11)
        let images = Tensor.normal([2, 3, 16, 16], using: &rng)
        #expect(withoutGradients { built(images) }.shape == [2, 2])
    }

    // MARK: Graph models on node ids

    /// The plugin's model on node ids gives the rows of the bare network's full-graph logits for the same weights.
    @Test func gcnOnNodeIDsSelectsRowsOfTheFullGraphForward() throws {
        var rng = RandomGenerator(seed: 3)
        let x = Tensor.normal([6, 5], using: &rng)
        let model = try Self.model(
            "plugin: model.gcn, hidden: 4", task: Self.graphTask(Self.ring, features: x, classes: 3), seed: 9)
        var same = RandomGenerator(seed: 9)
        let reference = GCN(inputs: 5, hidden: 4, classes: 3, rng: &same)
        let adjacency = SparseMatrix.adjacency(
            nodes: 6, sources: Self.ring.source.map { Int($0) }, destinations: Self.ring.destination.map { Int($0) }
        ).addingSelfLoops().symmetricallyNormalized()
        model.eval()
        reference.eval()
        var unused = RandomGenerator(seed: 0)
        let full = withoutGradients { reference.forward(x, adjacency: adjacency, rng: &unused) }
        let picked = withoutGradients { model(Tensor([3], [4, 0, 2])) }
        #expect(picked.shape == [3, 3])
        expectClose(picked.scalars, full.rows([4, 0, 2]).scalars, tolerance: 1e-6, "GCN rows 4, 0, 2")
    }

    @Test func sageAveragesIncomingNeighboursWithoutSelfLoops() throws {
        var rng = RandomGenerator(seed: 4)
        let x = Tensor.normal([6, 3], using: &rng)
        let model = try Self.model(
            "plugin: model.sage, hidden: 4", task: Self.graphTask(Self.ring, features: x, classes: 2), seed: 5)
        var same = RandomGenerator(seed: 5)
        let reference = GraphSAGE(inputs: 3, hidden: 4, classes: 2, rng: &same)
        // The mean over neighbours, written out densely: row i holds 1/deg(i) at each neighbour of i.
        var dense = [Float](repeating: 0, count: 36)
        let degree = Self.ring.outDegrees()
        for (s, d) in zip(Self.ring.source, Self.ring.destination) {
            dense[Int(d) * 6 + Int(s)] = 1 / Float(degree[Int(d)])
        }
        let mean = SparseMatrix(
            rows: 6, cols: 6, rowIndices: (0..<36).filter { dense[$0] != 0 }.map { $0 / 6 },
            colIndices: (0..<36).filter { dense[$0] != 0 }.map { $0 % 6 }, values: dense.filter { $0 != 0 })
        model.eval()
        reference.eval()
        var unused = RandomGenerator(seed: 0)
        let full = withoutGradients { reference.forward(x, neighbourMean: mean, rng: &unused) }
        let all = withoutGradients { model(Tensor([6], [0, 1, 2, 3, 4, 5])) }
        expectClose(all.scalars, full.scalars, tolerance: 1e-6, "GraphSAGE logits")
    }

    @Test func graphModelGradientsReachTheWeightsThroughTheSelectedRows() throws {
        var rng = RandomGenerator(seed: 6)
        let x = Tensor.normal([6, 4], using: &rng)
        let model = try Self.model(
            "plugin: model.gcn, hidden: 3, dropout: 0", task: Self.graphTask(Self.ring, features: x, classes: 2))
        let loss = model(Tensor([2], [1, 5])).crossEntropy(targets: Tensor([2], [0, 1]))
        loss.backward()
        for p in model.namedParameters() {
            let g = try #require(p.parameter.grad, "\(p.name) has no gradient")
            #expect(g.scalars.contains { $0 != 0 }, "\(p.name)")
        }
    }

    // MARK: Models and data that do not fit

    /// The problems `kiln validate` reports for a spec with this `data:` and `model:`, without the file's path.
    static func validate(_ data: String, _ model: String) -> [String] {
        let dir = TemporaryDirectory()
        let url = dir.write(
            "spec.yaml",
            text: """
                data: {\(data)}
                model: {\(model)}
                optimizer: {plugin: optim.sgd}
                train: {method: train.supervised, steps: 1}
                """)
        let problems = ExperimentRunner(catalog: RunHarness.catalog, options: RunHarness.options)
            .validate(specAt: url).problems
        return problems.map { $0.hasPrefix(url.path) ? "spec.yaml" + $0.dropFirst(url.path.count) : $0 }
    }

    @Test func validationRefusesModelsOnDataTheyCannotRead() {
        #expect(
            Self.validate("dataset: data.blobs, dims: 4", "plugin: model.convnet") == [
                "spec.yaml:2:17: model.plugin: 'model.convnet' needs images [C, H, W], but 'data.blobs' gives examples of "
                    + "shape [4]"
            ])
        #expect(
            Self.validate("dataset: data.sbm", "plugin: model.resnet") == [
                "spec.yaml:2:17: model.plugin: 'model.resnet' needs images [C, H, W], but 'data.sbm' gives a graph (node "
                    + "feature vectors)"
            ])
        #expect(
            Self.validate("dataset: data.spirals", "plugin: model.gcn") == [
                "spec.yaml:2:17: model.plugin: 'model.gcn' classifies the nodes of a graph, but 'data.spirals' gives labeled "
                    + "examples, not a graph; graph datasets: data.graph-files, data.sbm"
            ])
        #expect(Self.validate("dataset: data.images", "plugin: model.lkcnn") == [])
        #expect(Self.validate("dataset: data.sbm", "plugin: model.sage") == [])
        #expect(Self.validate("dataset: data.sbm", "plugin: model.mlp") == [])
    }

    @Test func configurationsThatWouldBreakTheNetworkFailValidation() {
        let images = "dataset: data.images"
        #expect(
            Self.validate(images, "plugin: model.resnet, depth: 21").contains {
                $0.contains("model.depth: must be 6n + 2")
            })
        #expect(
            Self.validate(images, "plugin: model.lkcnn, kernel_size: [8]").contains {
                $0.contains("model.kernel_size: must be odd")
            })
        #expect(
            Self.validate(images, "plugin: model.lkcnn, widths: [8, 16], depths: [1]").contains {
                $0.contains("model.depths: must hold one value per width (2)")
            })
        #expect(
            Self.validate(images, "plugin: model.convnet, channels: [8, 8, 8], strides: [1, 2]").contains {
                $0.contains("model.strides: must hold one value or one per stage (3)")
            })
        #expect(
            Self.validate("dataset: data.sbm", "plugin: model.gcn, dropout: 1").contains {
                $0.contains("model.dropout")
            })
    }

    /// What validation cannot know (a CSV file's columns, the images' size) fails when the model is built, as an
    /// invalid spec naming the model.
    @Test func aMismatchOnlyLoadingRevealsFailsTheRunAsAnInvalidSpec() async throws {
        let dir = TemporaryDirectory()
        DataFiles.csv(dir)
        let (vectors, _) = await RunHarness.run(
            """
            data: {dataset: data.csv, file: table.csv, label_column: species}
            model: {plugin: model.convnet}
            optimizer: {plugin: optim.sgd}
            train: {method: train.supervised, steps: 1}
            """, name: "vectors", in: dir)
        #expect(vectors.failure == .invalidSpec)
        #expect(
            vectors.message == "model.plugin: 'model.convnet' needs images [C, H, W], but the dataset gives examples "
                + "of shape [2]")
        let (small, _) = await RunHarness.run(
            """
            data: {dataset: data.images, height: 6, width: 6}
            model: {plugin: model.lkcnn, stem_patch: 4}
            optimizer: {plugin: optim.sgd}
            train: {method: train.supervised, steps: 1}
            """, name: "small", in: dir)
        #expect(small.failure == .invalidSpec)
        #expect(
            small.message
                == "model.plugin: 'model.lkcnn' needs images of at least 8×8 (stem_patch 4, then 1 downsampling by "
                + "downsample_patch 2), but the dataset's images are 6×6")
    }
}

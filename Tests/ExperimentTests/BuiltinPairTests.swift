import Experiment
import Foundation
import PluginAPI
import TensorEngine
import Testing

/// A short run of every built-in dataset with `model.mlp` (images flattened, graphs by node features), each from
/// real files where the dataset reads files, checking that it finishes, leaves its files, and learns.
@Suite(.serialized) struct BuiltinPairTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let dataset: String
        /// The `data:` mapping's body.
        let data: String
        /// Accuracy the run must beat (chance plus a margin; 0 where the data is too small to learn).
        let minimumAccuracy: Double
        var testDescription: String { dataset }
    }

    static let cases: [Case] = [
        Case(
            dataset: "data.blobs",
            data: "dataset: data.blobs, classes: 3, dims: 4, train_per_class: 60, test_per_class: 30",
            minimumAccuracy: 0.6),
        Case(
            dataset: "data.spirals", data: "dataset: data.spirals, points_per_class: 100, test_points_per_class: 50",
            minimumAccuracy: 0.55),
        Case(
            dataset: "data.images",
            data: "dataset: data.images, classes: 4, channels: 3, height: 8, width: 8, train_per_class: 40, "
                + "test_per_class: 20, imbalance_ratio: 0.5, difficulty: 0.1",
            minimumAccuracy: 0.4),
        Case(
            dataset: "data.sbm", data: "dataset: data.sbm, classes: 3, max_nodes_per_class: 60, feature_signal: 2",
            minimumAccuracy: 0.5),
        Case(dataset: "data.mnist", data: "dataset: data.mnist, directory: mnist", minimumAccuracy: 0.3),
        Case(dataset: "data.cifar10", data: "dataset: data.cifar10, directory: cifar10", minimumAccuracy: 0.3),
        Case(
            dataset: "data.cifar100", data: "dataset: data.cifar100, directory: cifar100, labels: coarse",
            minimumAccuracy: 0.15),
        Case(dataset: "data.npz", data: "dataset: data.npz, file: arrays.npz", minimumAccuracy: 0.6),
        Case(
            dataset: "data.npy",
            data: "dataset: data.npy, inputs: npy-x_train.npy, labels: npy-y_train.npy, test_inputs: npy-x_test.npy, "
                + "test_labels: npy-y_test.npy", minimumAccuracy: 0.6),
        Case(
            dataset: "data.csv", data: "dataset: data.csv, file: table.csv, label_column: species", minimumAccuracy: 0.6
        ),
        Case(
            dataset: "data.graph-files",
            data: "dataset: data.graph-files, edges: g/edges.txt, features: g/features.txt, labels: g/labels.txt",
            minimumAccuracy: 0.5),
    ]

    @Test(arguments: cases) func trainsWithMLP(_ c: Case) async throws {
        let dir = TemporaryDirectory()
        try DataFiles.writeAll(in: dir)
        let (report, folder) = await RunHarness.run(
            """
            seed: 5
            data: {\(c.data)}
            model: {plugin: model.mlp, hidden: [32]}
            optimizer: {plugin: optim.adam, lr: 0.01}
            train: {method: train.supervised, steps: 80, batch: 32}
            eval: {every: 40, evaluators: [eval.accuracy]}
            checkpoint: {every: 40}
            """, in: dir)
        #expect(report.state == .succeeded, "\(c.dataset): \(report.message)")
        let metrics = RunHarness.finalMetrics(folder)
        let accuracy = try #require(metrics["test.accuracy"], "\(c.dataset): no test.accuracy in \(metrics)")
        #expect(accuracy > c.minimumAccuracy, "\(c.dataset): test accuracy \(accuracy)")
        #expect(metrics["test.balanced_accuracy"] != nil && metrics["test.worst_class_accuracy"] != nil)
        #expect(
            FileManager.default.fileExists(
                atPath: folder.url.appendingPathComponent("checkpoints/step-000080.safetensors").path))
        #expect(RunHarness.lines(folder, "metrics.jsonl").count >= 2)
    }

    /// A model other than `model.mlp` on a file loader: the loader's examples are what the model reads.
    struct ModelCase: CustomTestStringConvertible, Sendable {
        let model: String
        let dataset: String
        /// The `data:` and `model:` mappings' bodies.
        let data: String
        let modelBody: String
        /// The `train:` mapping's body and the evaluator whose metric `result.json` must hold.
        var train = "method: train.supervised, steps: 12, batch: 16"
        var evaluator = "eval.accuracy"
        var metric = "test.accuracy"
        var testDescription: String { "\(model) on \(dataset)" }
    }

    static let modelCases: [ModelCase] = [
        ModelCase(
            model: "model.convnet", dataset: "data.mnist", data: "dataset: data.mnist, directory: mnist",
            modelBody: "plugin: model.convnet, channels: [8, 16], strides: [1, 2]"),
        ModelCase(
            model: "model.convnet", dataset: "data.cifar10", data: "dataset: data.cifar10, directory: cifar10",
            modelBody: "plugin: model.convnet, channels: [8, 16], strides: [2, 2]"),
        ModelCase(
            model: "model.gcn", dataset: "data.graph-files",
            data: "dataset: data.graph-files, edges: g/edges.txt, features: g/features.txt, labels: g/labels.txt",
            modelBody: "plugin: model.gcn, hidden: 16", train: "method: train.supervised, steps: 12, batch: 1000"),
        ModelCase(
            model: "model.sage", dataset: "data.graph-files",
            data: "dataset: data.graph-files, edges: g/edges.txt, features: g/features.txt, labels: g/labels.txt",
            modelBody: "plugin: model.sage, hidden: 16", train: "method: train.supervised, steps: 12, batch: 1000"),
        ModelCase(
            model: "model.gpt", dataset: "data.text-file",
            data: "dataset: data.text-file, file: story.txt, context: 16, stride: 4",
            modelBody: "plugin: model.gpt, layers: 1, d_model: 16, heads: 2, context: 16",
            train: "method: train.next-token, steps: 12, batch: 8", evaluator: "eval.perplexity",
            metric: "test.perplexity"),
    ]

    @Test(arguments: modelCases) func modelsTrainOnTheFileLoaders(_ c: ModelCase) async throws {
        let dir = TemporaryDirectory()
        try DataFiles.writeAll(in: dir)
        dir.write("story.txt", text: String(repeating: "Once upon a time the kiln was warm. ", count: 40))
        let (report, folder) = await RunHarness.run(
            """
            seed: 5
            data: {\(c.data)}
            model: {\(c.modelBody)}
            optimizer: {plugin: optim.adam, lr: 0.01}
            train: {\(c.train)}
            eval: {every: 0, evaluators: [\(c.evaluator)]}
            """, in: dir)
        #expect(report.state == .succeeded, "\(c.testDescription): \(report.message)")
        let metrics = RunHarness.finalMetrics(folder)
        let value = try #require(metrics[c.metric], "\(c.testDescription): no \(c.metric) in \(metrics)")
        #expect(value.isFinite, "\(c.testDescription): \(c.metric) = \(value)")
        #expect(try RunHarness.status(folder).step == 12)
    }

    @Test func textDatasetsLoadButNoSupervisedMethodTakesThem() async throws {
        let dir = TemporaryDirectory()
        dir.write("story.txt", text: String(repeating: "Once upon a time the kiln was warm. ", count: 20))
        let catalog = RunHarness.catalog
        for (id, yaml) in [
            ("data.text", "dataset: data.text, sentences: 50"),
            ("data.text-file", "dataset: data.text-file, file: story.txt"),
        ] {
            let (report, _) = await RunHarness.run(
                """
                data: {\(yaml)}
                model: {plugin: model.mlp}
                optimizer: {plugin: optim.sgd}
                train: {method: train.supervised, steps: 5}
                """, name: id, in: dir)
            #expect(report.exitCode == KilnExitCode.invalidSpec)
            #expect(
                report.message.contains(
                    "train.method: 'train.supervised' trains on labeled or graph data, but '\(id)' gives text data"),
                "\(report.message)")
            #expect(catalog[id] != nil)
        }
    }
}

/// Small, learnable files in every format the file loaders read (the class shows in the data, so an MLP learns it).
enum DataFiles {
    static func writeAll(in dir: TemporaryDirectory) throws {
        try FileManager.default.createDirectory(
            at: dir.url.appendingPathComponent("mnist"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            at: dir.url.appendingPathComponent("cifar10"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            at: dir.url.appendingPathComponent("cifar100"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            at: dir.url.appendingPathComponent("g"), withIntermediateDirectories: true)
        mnist(dir)
        cifar(dir)
        npz(dir)
        csv(dir)
        graph(dir)
    }

    /// A deterministic byte in 0..<n from two indices (no generator needed for fixtures).
    static func jitter(_ i: Int, _ j: Int, _ n: Int) -> Int { (i &* 7919 &+ j &* 104_729 &+ 13) % n }

    /// 8×8 images whose bright row is the class.
    static func mnist(_ dir: TemporaryDirectory) {
        func files(_ n: Int, seed: Int) -> (images: [UInt8], labels: [UInt8]) {
            var images: [UInt8] = []
            var labels: [UInt8] = []
            for i in 0..<n {
                let c = (i + seed) % 10
                labels.append(UInt8(c))
                for y in 0..<8 {
                    for x in 0..<8 {
                        images.append(UInt8(y == c % 8 ? 200 + jitter(i, x, 50) : jitter(i, y * 8 + x, 60)))
                    }
                }
                // Classes 8 and 9 share rows 0 and 1 with 0 and 1; their first column tells them apart.
                if c >= 8 { images[images.count - 64] = 255 }
            }
            return (images, labels)
        }
        let train = files(300, seed: 0)
        let test = files(100, seed: 3)
        dir.write(
            "mnist/train-images-idx3-ubyte", FileBuilder.idx(type: 0x08, shape: [300, 8, 8], payload: train.images))
        dir.write("mnist/train-labels-idx1-ubyte", FileBuilder.idx(type: 0x08, shape: [300], payload: train.labels))
        dir.write(
            "mnist/t10k-images-idx3-ubyte", FileBuilder.idx(type: 0x08, shape: [100, 8, 8], payload: test.images))
        dir.write("mnist/t10k-labels-idx1-ubyte", FileBuilder.idx(type: 0x08, shape: [100], payload: test.labels))
    }

    /// CIFAR records whose red channel level is the class; for CIFAR-100, a bright band of the red channel at
    /// the coarse class's position.
    static func cifar(_ dir: TemporaryDirectory) {
        func record(_ labels: [UInt8], level: Int, i: Int) -> [UInt8] {
            var out = labels
            for k in 0..<3072 { out.append(UInt8(k < 1024 ? level : jitter(i, k, 256))) }
            return out
        }
        func banded(_ labels: [UInt8], band: Int, i: Int) -> [UInt8] {
            var out = labels
            for k in 0..<3072 { out.append(UInt8(k < 1024 ? (k / 51 == band ? 255 : 0) : jitter(i, k, 64))) }
            return out
        }
        for b in 1...5 {
            var bytes: [UInt8] = []
            for i in 0..<40 {
                let c = (i + b) % 10
                bytes += record([UInt8(c)], level: 20 + 23 * c, i: i)
            }
            dir.write("cifar10/data_batch_\(b).bin", bytes)
        }
        var test: [UInt8] = []
        for i in 0..<50 {
            let c = i % 10
            test += record([UInt8(c)], level: 20 + 23 * c, i: i + 1000)
        }
        dir.write("cifar10/test_batch.bin", test)
        func hundred(_ n: Int, offset: Int) -> [UInt8] {
            var bytes: [UInt8] = []
            for i in 0..<n {
                let coarse = (i + offset) % 20
                bytes += banded([UInt8(coarse), UInt8((coarse * 5 + i) % 100)], band: coarse, i: i + offset)
            }
            return bytes
        }
        dir.write("cifar100/train.bin", hundred(400, offset: 0))
        dir.write("cifar100/test.bin", hundred(100, offset: 7))
    }

    /// `arrays.npz`: 4 features whose first one is the class, plus noise.
    static func npz(_ dir: TemporaryDirectory) {
        func arrays(_ n: Int, offset: Int) -> (x: [Float], y: [Float]) {
            var x: [Float] = []
            var y: [Float] = []
            for i in 0..<n {
                let c = (i + offset) % 3
                y.append(Float(c))
                x += [
                    Float(c) * 2 + Float(jitter(i, offset, 100)) / 100, Float(jitter(i, 1, 100)) / 50,
                    Float(jitter(i, 2, 100)) / 50, 1,
                ]
            }
            return (x, y)
        }
        let train = arrays(150, offset: 0)
        let test = arrays(60, offset: 1)
        let entries: [(name: String, data: [UInt8], deflate: Bool)] = [
            (
                "x_train.npy", FileBuilder.npy(descr: "<f4", shape: [150, 4], payload: FileBuilder.float32LE(train.x)),
                true
            ),
            (
                "y_train.npy", FileBuilder.npy(descr: "<f4", shape: [150], payload: FileBuilder.float32LE(train.y)),
                false
            ),
            (
                "x_test.npy", FileBuilder.npy(descr: "<f4", shape: [60, 4], payload: FileBuilder.float32LE(test.x)),
                true
            ),
            ("y_test.npy", FileBuilder.npy(descr: "<f4", shape: [60], payload: FileBuilder.float32LE(test.y)), false),
        ]
        dir.write("arrays.npz", FileBuilder.zip(entries))
        // The same arrays as separate .npy files, for data.npy.
        for entry in entries { dir.write("npy-\(entry.name)", entry.data) }
    }

    /// `table.csv`: two measurements and a text label that the first measurement decides.
    static func csv(_ dir: TemporaryDirectory) {
        var text = "length,width,species\n"
        for i in 0..<200 {
            let c = i % 2
            text +=
                "\(Double(c) * 3 + Double(jitter(i, 0, 100)) / 100),\(Double(jitter(i, 5, 100)) / 10),"
                + (c == 0 ? "setosa\n" : "virginica\n")
        }
        dir.write("table.csv", text: text)
    }

    /// A two-community graph whose node features carry the community.
    static func graph(_ dir: TemporaryDirectory) {
        let n = 120
        var edges = "# source destination\n"
        var features = ""
        var labels = ""
        for i in 0..<n {
            let c = i % 2
            labels += "\(c)\n"
            features += "\(Double(c) + Double(jitter(i, 3, 100)) / 200) \(Double(jitter(i, 4, 100)) / 100)\n"
            edges += "\(i) \((i + 2) % n)\n"
        }
        dir.write("g/edges.txt", text: edges)
        dir.write("g/features.txt", text: features)
        dir.write("g/labels.txt", text: labels)
    }
}

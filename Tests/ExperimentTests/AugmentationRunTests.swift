@testable import Experiment
import Foundation
import PluginAPI
import Spec
import TensorEngine
import TensorNN
import Testing

/// `data.augment` in real runs: what the training batches and the evaluated split look like, seen by a probe
/// method that logs statistics of each batch it is given.
@Suite(.serialized) struct AugmentationRunTests {
    /// `train.probe`: cross-entropy like `train.supervised`, plus statistics of the batch's inputs.
    struct ProbePlugin: MethodPlugin {
        struct Config: PluginConfig {
            static let documentation: [String: FieldDoc] = [:]
        }
        static let descriptor = PluginDescriptor(
            id: "train.probe", kind: .method, version: "1.0.0", summary: "Logs statistics of each batch",
            config: Config.self)
        init(config: Config, task: TaskInfo) throws {}

        func loss(model: any Layer, batch: Minibatch, rng: inout RandomGenerator) throws -> MethodOutput {
            let x = batch.inputs.scalars
            let (b, w) = (batch.inputs.shape[0], batch.inputs.shape[3])
            let perImage = x.count / b
            let mean = x.reduce(0, +) / Float(x.count)
            let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(x.count)
            // Images are one channel; column c of every row: is the left half brighter than the right?
            var leftBrighter = 0
            for i in 0..<b {
                var (left, right) = (Float(0), Float(0))
                for p in 0..<perImage where x[i * perImage + p] != 0 {
                    if p % w < w / 2 { left += x[i * perImage + p] } else { right += x[i * perImage + p] }
                }
                if left > right { leftBrighter += 1 }
            }
            let logits = model(batch.inputs)
            return MethodOutput(
                loss: logits.crossEntropy(targets: batch.labels),
                metrics: [
                    "input_mean": Double(mean), "input_std": Double(variance.squareRoot()),
                    "left_brighter": Double(leftBrighter) / Double(b),
                    "zero_fraction": Double(x.filter { $0 == 0 }.count) / Double(x.count),
                ])
        }
    }

    static let catalog: PluginCatalog = try! PluginCatalog(BuiltinPlugins.all + [ProbePlugin.self])

    /// 80 one-channel 6×6 images: the left three columns 1, the right three 0.5; labels alternate.
    static func writeImages(in dir: TemporaryDirectory) {
        let n = 80
        var pixels: [Float] = []
        for _ in 0..<n { for _ in 0..<6 { pixels += [1, 1, 1, 0.5, 0.5, 0.5] } }
        dir.write("x.npy", FileBuilder.npy(descr: "<f4", shape: [n, 1, 6, 6], payload: FileBuilder.float32LE(pixels)))
        let labels = (0..<n).map { Float($0 % 2) }
        dir.write("y.npy", FileBuilder.npy(descr: "<f4", shape: [n], payload: FileBuilder.float32LE(labels)))
    }

    /// Runs 20 probe steps with `augment` and returns each logged statistic's values over the steps.
    static func probe(_ augment: String, in dir: TemporaryDirectory) async throws -> [String: [Double]] {
        writeImages(in: dir)
        let (report, folder) = await RunHarness.run(
            """
            seed: 9
            data: {dataset: data.npy, inputs: x.npy, labels: y.npy, test_fraction: 0.25, augment: \(augment)}
            model: {plugin: model.mlp, hidden: [8]}
            optimizer: {plugin: optim.sgd, lr: 0.01}
            train: {method: train.probe, steps: 20, batch: 32}
            eval: {every: 0, evaluators: [eval.accuracy]}
            """, in: dir, catalog: catalog)
        #expect(report.state == .succeeded, "\(report.message)")
        var series: [String: [Double]] = [:]
        for line in RunHarness.lines(folder, "metrics.jsonl") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            for (key, value) in object where key.hasPrefix("train.") {
                if let v = value as? Double { series[String(key.dropFirst(6)), default: []].append(v) }
            }
        }
        #expect(series["left_brighter"]?.count == 20, "one line per step: \(series.keys.sorted())")
        return series
    }

    static func average(_ values: [Double]?) -> Double { (values ?? []).reduce(0, +) / Double(values?.count ?? 1) }

    @Test func withoutAugmentationBatchesAreTheData() async throws {
        let s = try await Self.probe("{}", in: TemporaryDirectory())
        #expect(s["left_brighter"]?.allSatisfy { $0 == 1 } == true)
        #expect(s["zero_fraction"]?.allSatisfy { $0 == 0 } == true)
        #expect(s["input_mean"]?.allSatisfy { abs($0 - 0.75) < 1e-6 } == true)
    }

    @Test func flipMirrorsTheGivenShareOfTrainingImages() async throws {
        let always = try await Self.probe("{flip: 1}", in: TemporaryDirectory())
        #expect(always["left_brighter"]?.allSatisfy { $0 == 0 } == true)
        let half = try await Self.probe("{flip: 0.5}", in: TemporaryDirectory())
        // 640 images drawn: the share flipped is within 4 standard deviations (0.08) of one half.
        #expect(abs(Self.average(half["left_brighter"]) - 0.5) < 0.08, "\(half["left_brighter"] ?? [])")
    }

    @Test func cropShiftsImagesOverZeroPadding() async throws {
        let s = try await Self.probe("{crop_padding: 2}", in: TemporaryDirectory())
        // Offsets are uniform in −2…2 on each axis: a 6×6 image loses on average 1.2 rows and 1.2 columns to
        // padding, 1 − (4.8/6)² = 36 % of its pixels.
        let zeros = Self.average(s["zero_fraction"])
        #expect(abs(zeros - 0.36) < 0.05, "\(s["zero_fraction"] ?? [])")
        #expect(s["left_brighter"]?.contains { $0 < 1 } == true, "some shifts move bright columns right")
    }

    @Test func normalizeUsesTheTrainingStatisticsOrTheGivenOnes() async throws {
        let dir = TemporaryDirectory()
        let s = try await Self.probe("{normalize: true}", in: dir)
        // Every image is the same: per-channel mean 0.75, std 0.25, so batches are exactly ±1.
        #expect(s["input_mean"]?.allSatisfy { abs($0) < 1e-5 } == true, "\(s["input_mean"] ?? [])")
        #expect(s["input_std"]?.allSatisfy { abs($0 - 1) < 1e-5 } == true, "\(s["input_std"] ?? [])")
        let log = RunHarness.lines(RunFolder(beside: dir.url.appendingPathComponent("spec.yaml")), "run.log")
        #expect(log.contains { $0.contains("data normalised per channel") && $0.contains("0.75") })
        let given = try await Self.probe("{normalize: true, mean: [0.5], std: [0.25]}", in: TemporaryDirectory())
        #expect(given["input_mean"]?.allSatisfy { abs($0 - 1) < 1e-5 } == true, "(0.75 − 0.5) / 0.25")
    }

    @Test func evaluationSeesTheNormalisedSplitButNoRandomTransform() throws {
        var augment = DataAugmentation()
        augment.normalize = true
        augment.flip = 1
        let train = DataSplit(inputs: Tensor([2, 1, 1, 2], [0, 2, 2, 4]), labels: Tensor([2], [0, 1]))
        let test = DataSplit(inputs: Tensor([1, 1, 1, 2], [2, 6]), labels: Tensor([1], [1]))
        let data = LabeledDataset(name: "t", train: train, test: test, classCount: 2)
        let normalized = try #require(augment.normalizing(data))
        #expect(normalized.mean == [2] && normalized.std == [Float(2).squareRoot()])
        #expect(normalized.data.test.inputs.scalars == [0, 4 / Float(2).squareRoot()])
        #expect(augment.batchTransforms == ImageAugmentation([.horizontalFlip(probability: 1)]))
        augment.normalize = false
        #expect(augment.normalizing(data) == nil)
    }

    @Test func augmentOnDataThatIsNotImagesIsAnInvalidSpec() async throws {
        let dir = TemporaryDirectory()
        let (vectors, _) = await RunHarness.run(
            """
            data: {dataset: data.blobs, classes: 2, augment: {flip: 0.5}}
            model: {plugin: model.mlp}
            optimizer: {plugin: optim.sgd, lr: 0.1}
            train: {method: train.supervised, steps: 5}
            """, name: "vectors", in: dir)
        #expect(vectors.failure == .invalidSpec)
        #expect(
            vectors.message.contains("data.augment: image transforms need image examples [C, H, W], but 'data.blobs' "
                + "gives examples of shape [2]"), "\(vectors.message)")
        let (channels, _) = await RunHarness.run(
            """
            data: {dataset: data.images, classes: 2, channels: 3, height: 4, width: 4,
                   augment: {normalize: true, mean: [0.5], std: [0.2]}}
            model: {plugin: model.mlp}
            optimizer: {plugin: optim.sgd, lr: 0.1}
            train: {method: train.supervised, steps: 5}
            """, name: "channels", in: dir)
        #expect(channels.failure == .invalidSpec)
        #expect(
            channels.message.contains("mean and std have 1 entries, but 'data.images' gives images with 3 channels"),
            "\(channels.message)")
        // Where only loading tells the shape (a NumPy file of vectors), the run stops before training.
        dir.write("v.npy", FileBuilder.npy(descr: "<f4", shape: [4, 2], payload: FileBuilder.float32LE([1, 2, 3, 4, 5, 6, 7, 8])))
        dir.write("l.npy", FileBuilder.npy(descr: "<f4", shape: [4], payload: FileBuilder.float32LE([0, 1, 0, 1])))
        let (loaded, folder) = await RunHarness.run(
            """
            data: {dataset: data.npy, inputs: v.npy, labels: l.npy, test_fraction: 0.5, augment: {crop_padding: 1}}
            model: {plugin: model.mlp}
            optimizer: {plugin: optim.sgd, lr: 0.1}
            train: {method: train.supervised, steps: 5}
            """, name: "loaded", in: dir)
        #expect(loaded.failure == .invalidSpec, "\(loaded.message)")
        #expect(try RunHarness.status(folder).state == .failed)
        #expect(!FileManager.default.fileExists(atPath: folder.url.appendingPathComponent("checkpoints").path))
    }
}

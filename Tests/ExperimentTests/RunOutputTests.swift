import Experiment
import Foundation
import PluginAPI
import Spec
import TensorEngine
import TensorNN
import Testing

/// What one `kiln run` leaves in `NAME.run/`, file by file.
@Suite(.serialized) struct RunOutputTests {
    static let spec = """
        name: outputs
        seed: 3
        data: {dataset: data.blobs, classes: 3, dims: 2, train_per_class: 80, test_per_class: 40}
        model: {plugin: model.mlp, hidden: [16]}
        optimizer: {plugin: optim.adamw, lr: 0.02, schedule: {kind: cosine, warmup: 10}}
        train: {method: train.supervised, steps: 120, batch: 32}
        eval: {every: 40, evaluators: [eval.accuracy]}
        checkpoint: {every: 30, keep: 2}
        """

    @Test func aRunLeavesEveryFile() async throws {
        let dir = TemporaryDirectory()
        let (report, folder) = await RunHarness.run(Self.spec, name: "outputs", in: dir)
        #expect(report.state == .succeeded && report.exitCode == 0, "\(report.message)")

        let status = try RunHarness.status(folder)
        #expect(status.state == .succeeded && status.step == 120 && status.totalSteps == 120 && status.progress == 1)
        #expect(status.startedAt != nil && status.endedAt != nil && status.heartbeatAt != nil && status.failure == nil)
        #expect(status.pid == getpid() && status.attempt == 1 && status.specHash.hasPrefix("sha256:"))

        let log = RunHarness.lines(folder, "run.log")
        for message in [
            "run started", "data loaded", "training started", "evaluated", "checkpoint saved", "run finished",
        ] {
            #expect(log.contains { $0.contains(" \(message)") }, "run.log lacks '\(message)'")
        }
        #expect(
            log.allSatisfy {
                $0.range(
                    of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (info|warning|error) "#, options: .regularExpression)
                    != nil
            })

        let csv = RunHarness.lines(folder, "metrics.csv")
        #expect(
            csv.first?.hasPrefix("step,loss,test.accuracy") == true
                && csv.first?.hasSuffix(",train.accuracy,train.grad_norm,train.lr") == true)
        #expect(csv.count == 121, "one row per step for a 120-step run, plus the header")
        let jsonl = RunHarness.lines(folder, "metrics.jsonl")
        #expect(jsonl.count == 120 && jsonl.last?.contains("\"test.accuracy\"") == true)

        // keep: 2 leaves the two newest, and `latest` names the final one.
        let store = CheckpointStore(runDirectory: folder.url, keepLast: 2)
        #expect(try store.steps() == [90, 120])
        #expect(try store.latestURL()?.lastPathComponent == "step-000120.safetensors")

        let plots = try FileManager.default.contentsOfDirectory(atPath: folder.url.appendingPathComponent("plots").path)
            .sorted()
        #expect(
            plots.contains("loss.svg") && plots.contains("test.accuracy.svg")
                && plots.contains("test.class_accuracy.svg"))
        let svg = try String(contentsOf: folder.url.appendingPathComponent("plots/loss.svg"), encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains("<polyline"))

        let metrics = RunHarness.finalMetrics(folder)
        #expect((metrics["test.accuracy"] ?? 0) > 0.8)
        let eval = try String(contentsOf: folder.url.appendingPathComponent("eval/eval.accuracy.json"), encoding: .utf8)
        #expect(eval.contains("\"confusion_matrix\"") && eval.contains("\"step\": 120"))

        // The resolved spec loads back to the same experiment; its header carries the provenance.
        let resolved = try String(contentsOf: folder.resolvedSpec, encoding: .utf8)
        for key in [
            "kiln_version: test", "host:", "cpu:", "threads: 1", "seed: 3", "streams:", "started_at:", "ended_at:",
        ] {
            #expect(resolved.contains("#   \(key)"), "spec.resolved.yaml lacks \(key)")
        }
        let loader = SpecLoader(registry: RunHarness.catalog.registry)
        let original = try loader.load(contentsOf: dir.url.appendingPathComponent("outputs.yaml")).runs[0]
        let copy = dir.write("copy.yaml", text: resolved)
        #expect(try loader.load(contentsOf: copy).runs[0] == original)
        let provenance = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.provenance)) as? [String: Any]
        #expect(provenance?["threads"] as? Int == 1 && provenance?["kiln_version"] as? String == "test")
        #expect(provenance?["ended_at"] != nil && provenance?["streams"] != nil)
    }

    @Test func aFinishedRunIsNotRunAgainUnlessRestarted() async throws {
        let dir = TemporaryDirectory()
        let (first, folder) = await RunHarness.run(Self.spec, name: "again", in: dir)
        #expect(first.state == .succeeded)
        let (second, _) = await RunHarness.run(Self.spec, name: "again", in: dir)
        #expect(second.state == .succeeded && second.message.contains("already finished"))
        #expect(try RunHarness.status(folder).attempt == 1)
        var options = RunHarness.options
        options.restart = true
        let (third, _) = await RunHarness.run(Self.spec, name: "again", in: dir, options: options)
        #expect(third.state == .succeeded && !third.message.contains("already finished"))
        #expect(try RunHarness.status(folder).attempt == 1, "a restart is a new run")
    }

    /// Checkpoints follow the safetensors definition: an 8-byte little-endian header size N, N bytes of JSON
    /// (padded with spaces) mapping each name to dtype, shape and data_offsets, plus a string-to-string
    /// `__metadata__`; then the data, each tensor's bytes at its offsets, contiguous and covering the buffer.
    @Test func checkpointsAreSafetensorsByTheFormatsDefinition() async throws {
        let dir = TemporaryDirectory()
        let (report, folder) = await RunHarness.run(Self.spec, name: "format", in: dir)
        #expect(report.state == .succeeded)
        let url = folder.url.appendingPathComponent("checkpoints/step-000120.safetensors")
        let bytes = [UInt8](try Data(contentsOf: url))
        let n = (0..<8).reduce(0) { $0 | Int(bytes[$1]) << (8 * $1) }
        #expect(n % 8 == 0 && 8 + n <= bytes.count)
        let headerText = String(decoding: bytes[8..<(8 + n)], as: UTF8.self)
        #expect(headerText.hasPrefix("{") && headerText.trimmingCharacters(in: .whitespaces).hasSuffix("}"))
        let header = try #require(try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + n)])) as? [String: Any])
        let metadata = try #require(header["__metadata__"] as? [String: String])
        #expect(
            metadata["kiln.format_version"] == "1" && metadata["kiln.step"] == "120"
                && metadata["kiln.plugin"] == "model.mlp")
        #expect(
            metadata["run.method_rng"] != nil && metadata["run.batches"] != nil
                && metadata["kiln.optimizer.slots"] == "exp_avg,exp_avg_sq")

        let data = Array(bytes[(8 + n)...])
        var spans: [(Int, Int)] = []
        var tensors: [String: [Float]] = [:]
        for (name, value) in header where name != "__metadata__" {
            let entry = try #require(value as? [String: Any])
            #expect(entry["dtype"] as? String == "F32")
            let shape = try #require(entry["shape"] as? [Int])
            let offsets = try #require(entry["data_offsets"] as? [Int])
            #expect(offsets.count == 2 && offsets[1] - offsets[0] == 4 * shape.reduce(1, *), "\(name)")
            spans.append((offsets[0], offsets[1]))
            tensors[name] = stride(from: offsets[0], to: offsets[1], by: 4).map { i in
                Float(
                    bitPattern: UInt32(data[i]) | UInt32(data[i + 1]) << 8 | UInt32(data[i + 2]) << 16 | UInt32(
                        data[i + 3]) << 24)
            }
        }
        spans.sort { $0.0 < $1.0 }
        #expect(spans.first?.0 == 0 && spans.last?.1 == data.count)
        #expect(zip(spans, spans.dropFirst()).allSatisfy { $0.1 == $1.0 }, "offsets must be contiguous")
        #expect(
            Set(tensors.keys).isSuperset(of: [
                "layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.0.weight.exp_avg",
            ]))
        // The same values through Kiln's reader.
        let checkpoint = try Checkpoint.read(from: url)
        #expect(checkpoint.parameters["layers.2.weight"]?.scalars == tensors["layers.2.weight"])
        #expect(
            checkpoint.optimizerState?.slots["layers.0.bias.exp_avg_sq"]?.scalars == tensors["layers.0.bias.exp_avg_sq"]
        )
    }
}

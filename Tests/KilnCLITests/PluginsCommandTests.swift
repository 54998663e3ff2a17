import Foundation
import Testing

/// `kiln plugins` and `kiln schema` from the real executable.
@Suite struct PluginsCommandTests {
    @Test func listsEveryPluginByKind() async throws {
        let dir = try Scratch()
        let text = try await KilnProcess.run(["plugins"], in: dir.url)
        #expect(text.status == 0)
        for line in [
            "model (model.plugin)", "dataset (data.dataset)", "  data.cifar100 1.0.0", "  optim.adamw 1.0.0",
            "  eval.accuracy 1.0.0",
        ] {
            #expect(text.stdout.contains(line), "missing \(line)")
        }
        let json = try await KilnProcess.run(["plugins", "--json"], in: dir.url)
        let list = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(
            // 28 built into Experiment, 3 from Plugins/OptimSPAM (optim.spam, optim.stable-spam, model.lowbit-mlp),
            // 4 from Plugins/Robustness (train.gaussian-noise, train.eigen-reg, eval.certify, eval.predict).
            list.count == 35
                && list.contains { $0["id"] as? String == "optim.stable-spam" && $0["kind"] as? String == "optimizer" }
                && list.contains { $0["id"] as? String == "stage.prune-magnitude" && $0["kind"] as? String == "stage" })
    }

    @Test func showsOnePluginWithEveryKey() async throws {
        let dir = try Scratch()
        let text = try await KilnProcess.run(["plugins", "optim.adamw"], in: dir.url)
        #expect(text.status == 0)
        let lines = text.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "optim.adamw 1.0.0 (optimizer, optimizer.plugin) — Adam with decoupled weight decay")
        #expect(
            lines.contains {
                $0.hasPrefix("  lr ") && $0.contains("number") && $0.contains("0.001") && $0.contains("> 0")
            })
        #expect(lines.contains { $0.hasPrefix("  weight_decay ") && $0.contains("0.01") })
        #expect(lines.contains("      Peak learning rate (the schedule scales it)."))
        let json = try await KilnProcess.run(["plugins", "data.mnist", "--json"], in: dir.url)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let fields = try #require(object["fields"] as? [[String: Any]])
        #expect(fields.map { $0["key"] as? String } == ["directory", "variant", "scale"])
        #expect(fields[0]["required"] as? Bool == true && fields[0]["path"] as? String == "existing-directory")
        let unknown = try await KilnProcess.run(["plugins", "optim.adamv"], in: dir.url)
        #expect(unknown.status == 2 && unknown.stderr.contains("did you mean 'optim.adam', 'optim.adamw'?"))
    }

    @Test func schemaIsJSONSchemaOfEverySlot() async throws {
        let dir = try Scratch()
        let result = try await KilnProcess.run(["schema"], in: dir.url)
        #expect(result.status == 0)
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(schema["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
        let properties = try #require(schema["properties"] as? [String: Any])
        #expect(
            Set(properties.keys).isSuperset(of: [
                "data", "model", "optimizer", "train", "stages", "eval", "checkpoint", "sweep",
            ]))
        #expect(
            result.stdout.contains("\"const\": \"data.cifar10\"")
                && result.stdout.contains("\"const\": \"stage.prune-magnitude\""))
    }
}

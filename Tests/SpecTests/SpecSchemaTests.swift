import Foundation
import PluginAPI
import Spec
import Testing

@Suite struct SpecSchemaTests {
    let schema: ConfigValue

    init() throws { schema = SpecSchema.schema(for: try FakePlugins.registry) }

    private func variants(_ path: ConfigKeyPath) -> [ConfigValue] { schema[path]?.object?["oneOf"]?.array ?? [] }

    @Test func isADraft2020ObjectThatRejectsUnknownKeys() {
        #expect(schema["$schema"] == "https://json-schema.org/draft/2020-12/schema")
        #expect(schema["additionalProperties"] == false)
        #expect(schema["required"] == ["data", "model"])
        #expect(schema["properties.seed.minimum"] == 0)
        #expect(schema["properties.priority.maximum"] == 100)
    }

    @Test func eachSlotIsAOneOfOverItsPlugins() {
        let optimizers = variants("$defs.optimizer")
        #expect(
            optimizers.compactMap { $0["properties.plugin.const"]?.string } == [
                "optim.adam", "optim.adamw", "optim.sgd",
            ])
        #expect(
            variants("properties.data").compactMap { $0["properties.dataset.const"]?.string } == [
                "data.csv", "data.spirals",
            ])
        #expect(
            variants("properties.train").compactMap { $0["properties.method.const"]?.string } == ["train.supervised"])
        #expect(variants("properties.model").allSatisfy { $0["additionalProperties"] == false })
    }

    @Test func pluginPropertiesCarryTypesDefaultsDocsAndRanges() throws {
        let adamw = try #require(variants("$defs.optimizer").first { $0["properties.plugin.const"] == "optim.adamw" })
        #expect(
            adamw["properties.lr"] == [
                "type": "number", "exclusiveMinimum": 0, "description": "Peak learning rate; the schedule scales it.",
                "default": 0.001,
            ])
        #expect(adamw["properties.betas.items.maximum"] == nil)
        #expect(adamw["properties.betas.items.exclusiveMaximum"] == 1)
        #expect(adamw["properties.schedule.properties.kind.enum"] == ["constant", "linear", "cosine"])
        #expect(adamw["required"] == ["plugin"])

        let mlp = try #require(variants("properties.model").first)
        #expect(mlp["properties.activation.enum"] == ["relu", "gelu", "tanh"])
        #expect(mlp["properties.hidden.items.minimum"] == 1)

        let supervised = try #require(variants("properties.train").first)
        #expect(supervised["properties.grad_clip.type"] == ["number", "null"])
        #expect(supervised["required"] == ["method", "steps"])
        #expect(supervised["properties.steps.default"] == nil)
    }

    @Test func stagesEvaluatorsAndSweepAreDescribed() throws {
        let stageIDs = schema["properties.stages.items.anyOf[0].enum"]?.array?.compactMap(\.string) ?? []
        #expect(stageIDs == ["train.supervised", "eval.accuracy", "eval.loss", "stage.prune-magnitude"])
        let prune = try #require(schema["properties.stages.items.anyOf[1].oneOf"]?.array?.last)
        #expect(prune["required"] == ["plugin", "sparsity"])
        #expect(prune["properties.schedule.properties.steps.minimum"] == 1)
        #expect(schema["properties.eval.properties.evaluators.items.anyOf[0].enum"] == ["eval.accuracy", "eval.loss"])
        #expect(schema["properties.sweep.properties.samples.minimum"] == 1)
        #expect(schema["properties.sweep.additionalProperties.oneOf"]?.array?.count == 4)
    }

    @Test func jsonTextIsValidJSON() throws {
        let text = SpecSchema.jsonText(for: try FakePlugins.registry)
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        #expect(parsed?["title"] as? String == "Kiln experiment spec")
        // Keys keep their order: `$schema` first, as editors expect to see it.
        #expect(text.hasPrefix("{\n  \"$schema\": \"https://json-schema.org/draft/2020-12/schema\""))
    }
}

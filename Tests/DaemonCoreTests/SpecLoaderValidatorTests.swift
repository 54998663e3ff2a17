import DaemonCore
import Foundation
import PluginAPI
import Testing

/// The daemon's real spec check, with and without plugins registered.
@Suite struct SpecLoaderValidatorTests {
    struct Empty: PluginConfig {
        static let documentation: [String: FieldDoc] = [:]
    }

    struct Sized: PluginConfig {
        var hidden = [8]
        static let documentation: [String: FieldDoc] = ["hidden": FieldDoc("Layer widths.")]
    }

    static func registry() throws -> PluginRegistry {
        try PluginRegistry([
            PluginDescriptor(
                id: "data.spirals", kind: .dataset, version: "1.0.0", summary: "Spirals", config: Empty.self),
            PluginDescriptor(id: "model.mlp", kind: .model, version: "1.0.0", summary: "MLP", config: Sized.self),
            PluginDescriptor(
                id: "optim.adamw", kind: .optimizer, version: "1.0.0", summary: "AdamW", config: Empty.self),
            PluginDescriptor(
                id: "train.supervised", kind: .method, version: "1.0.0", summary: "Supervised", config: Empty.self),
        ])
    }

    static let valid = """
        priority: 5
        data: {dataset: data.spirals}
        model: {plugin: model.mlp, hidden: [4]}
        optimizer: {plugin: optim.adamw}
        train: {method: train.supervised, steps: 3}

        """

    func verdict(_ validator: SpecLoaderValidator, _ text: String, at path: String) -> SpecVerdict {
        validator.validate(specAt: URL(fileURLWithPath: path), contents: Data(text.utf8))
    }

    @Test func checksAgainstThePluginsAndNamesTheSpecRelativeToTheDropDirectory() throws {
        let validator = SpecLoaderValidator(
            registry: try Self.registry(), dropDirectory: URL(fileURLWithPath: "/srv/drop"), dataRoots: [])
        #expect(!validator.checksSyntaxOnly)
        #expect(verdict(validator, Self.valid, at: "/srv/drop/ok.yaml") == .valid(priority: 5))
        let typo = Self.valid.replacingOccurrences(of: "hidden: [4]", with: "hiden: [4]")
        #expect(
            verdict(validator, typo, at: "/srv/drop/team/typo.yaml")
                == .invalid(problems: ["team/typo.yaml:3:28: model.hiden: unknown key 'hiden'; did you mean 'hidden'?"])
        )
        guard case .invalid(let problems) = verdict(validator, "model: [", at: "/srv/drop/broken.yaml") else {
            Issue.record("a syntax error must be rejected")
            return
        }
        #expect(problems.first?.hasPrefix("broken.yaml:") == true && problems.first?.contains("syntax error") == true)
    }

    @Test func withoutPluginsOnlyTheYAMLIsChecked() {
        let validator = SpecLoaderValidator(
            registry: PluginRegistry(), dropDirectory: URL(fileURLWithPath: "/srv/drop"), dataRoots: [])
        #expect(validator.checksSyntaxOnly)
        #expect(verdict(validator, "model: whatever\n", at: "/srv/drop/a.yaml") == .valid)
        guard case .invalid(let problems) = verdict(validator, "model: [x\n", at: "/srv/drop/b.yaml") else {
            Issue.record("a syntax error must be rejected")
            return
        }
        #expect(problems.count == 1 && problems[0].hasPrefix("b.yaml:2:1: syntax error"))
        let binary = validator.validate(specAt: URL(fileURLWithPath: "/srv/drop/c.yaml"), contents: Data([0xFF, 0xFE]))
        #expect(binary == .invalid(problems: ["c.yaml: the spec is not valid UTF-8 text"]))
    }
}

import Experiment
import Foundation
import PluginAPI
import Spec
import Testing

/// The example specs that README and the daemon's example drop directory point at are valid against the real
/// built-in plugins (they once drifted from the plugins' keys while being checked against test stand-ins).
@Suite struct ExampleSpecsTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples")

    static func specs(in folder: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".yaml") && $0 != "serve-settings.yaml" }.sorted()
            .map { folder.appendingPathComponent($0) }
    }

    @Test func exampleSpecsAreValidAgainstTheBuiltinPlugins() throws {
        let loader = SpecLoader(registry: try PluginCatalog(BuiltinPlugins.all).registry)
        let specs = try Self.specs(in: Self.examples.appendingPathComponent("drop")) + Self.specs(in: Self.examples)
        #expect(specs.count >= 6)
        for spec in specs {
            #expect(loader.validate(contentsOf: spec).map(\.description) == [], "\(spec.lastPathComponent)")
        }
    }
}

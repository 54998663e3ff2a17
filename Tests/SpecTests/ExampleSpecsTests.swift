import Foundation
import PluginAPI
import Spec
import Testing

/// The specs in `examples/drop/` are valid against plugins of the documented shapes (the fakes here);
/// once the built-in plugins land, `kiln validate examples/drop/*.yaml` checks them for real.
@Suite struct ExampleSpecsTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/drop")

    @Test func exampleDropSpecsAreValid() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path).filter {
            $0.hasSuffix(".yaml")
        }
        #expect(names.count >= 2)
        let loader = SpecLoader(registry: try FakePlugins.registry)
        for name in names.sorted() {
            #expect(loader.validate(contentsOf: Self.directory.appendingPathComponent(name)).map(\.description) == [])
        }
    }
}

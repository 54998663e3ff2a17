import Foundation
import PluginAPI
import Spec
import Testing

@testable import Experiment
@testable import OptimSPAM

/// The specs of examples/spam-demo validate against the plugins `kiln` is built with (the built-ins and this
/// target's), and their plugins fit together (text data under `train.next-token`).
@Suite struct SPAMDemoSpecTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/spam-demo")

    @Test func demoSpecsAreValidAgainstTheRealPlugins() throws {
        let catalog = try PluginCatalog(BuiltinPlugins.all + OptimSPAMPlugins.all)
        let loader = SpecLoader(registry: catalog.registry)
        let specs = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path)
            .filter { $0.hasSuffix(".yaml") }.sorted().map { Self.folder.appendingPathComponent($0) }
        #expect(specs.map(\.lastPathComponent) == ["spam-demo.yaml", "spirals-lowbit.yaml"])
        for spec in specs {
            #expect(loader.validate(contentsOf: spec).map(\.description) == [], "\(spec.lastPathComponent)")
            for run in try loader.load(contentsOf: spec).runs {
                #expect(Preflight.problems(run, catalog: catalog) == [], "\(run.name)")
            }
        }
        guard case .sweep(let plan) = try loader.load(contentsOf: Self.folder.appendingPathComponent("spam-demo.yaml"))
        else {
            Issue.record("spam-demo.yaml is not a sweep")
            return
        }
        let points = plan.children.map { "\($0.spec.optimizer!.plugin.id) \($0.spec.model.values["precision"]!)" }
        #expect(
            points == [
                "optim.adam fp32", "optim.adam int4", "optim.spam fp32", "optim.spam int4", "optim.stable-spam fp32",
                "optim.stable-spam int4",
            ])
    }
}

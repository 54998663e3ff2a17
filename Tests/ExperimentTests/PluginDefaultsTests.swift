import Experiment
import OptimSPAM
import PluginAPI
import Robustness
import Testing

/// Every plugin `kiln` ships works with its defaults: a spec that gives only a plugin's required keys is not
/// refused for a default (`model.lowbit-mlp` once defaulted to a group size that divided none of its widths).
@Suite struct PluginDefaultsTests {
    /// The same list `kiln/main.swift` compiles in.
    static let shipped = try! PluginCatalog(BuiltinPlugins.all + OptimSPAMPlugins.all + RobustnessPlugins.all)

    @Test func anEmptyConfigurationLacksNothingButRequiredKeys() {
        let descriptors = Self.shipped.registry.plugins
        #expect(descriptors.count >= 35)
        for descriptor in descriptors {
            let problems = descriptor.resolveConfig([:]).problems.filter { $0.kind != .missingKey }
            #expect(problems.map(\.description) == [], "\(descriptor.id)")
            // Without required keys, the defaults also decode and pass the configuration's own rules.
            if !descriptor.fields.contains(where: \.isRequired) {
                #expect(descriptor.resolveConfig([:]).config != nil, "\(descriptor.id)")
            }
        }
    }
}

import Experiment
import PluginAPI
import TensorEngine
import TensorNN
import Testing

@testable import OptimSPAM

@Suite struct SPAMPluginTests {
    @Test func catalogAcceptsBothPluginsWithCompleteDocumentation() throws {
        let catalog = try PluginCatalog(BuiltinPlugins.all + OptimSPAMPlugins.all)
        #expect(catalog["optim.spam"] != nil && catalog["optim.stable-spam"] != nil)
        #expect(try SPAMConfig.documentationProblems().isEmpty)
        #expect(try StableSPAMConfig.documentationProblems().isEmpty)
    }

    @Test func defaultsAreTheOfficialCodes() {
        let spam = SPAMConfig().options
        #expect(spam == SPAMOptions())
        #expect(spam.eps == 1e-6 && spam.threshold == 5000 && spam.resetInterval == 500)
        #expect(spam.warmupSteps == 150 && spam.clipFreeSteps == 20 && spam.density == 1)
        let stable = StableSPAMConfig().options
        #expect(stable == StableSPAMOptions())
        #expect(stable.eps == 1e-8 && stable.gamma1 == 0.7 && stable.gamma2 == 0.9 && stable.gamma3 == 0.999)
        #expect(stable.resetInterval == 1000 && stable.totalSteps == nil && stable.etaMin == 0.5)
        var c = StableSPAMConfig()
        c.gamma1 = -1
        #expect(c.options.gamma1 == nil)
    }

    @Test func pluginsMakeWorkingOptimizersThatReportMetrics() throws {
        for plugin in [SPAMPlugin.self, StableSPAMPlugin.self] as [any OptimizerPlugin.Type] {
            let w = Parameter(Tensor([3], [1, 2, 3]))
            let opt = try make(plugin, [NamedParameter("w", w)])
            (w.value * Tensor([3], [3, 0, -4])).sum().backward()
            opt.step()
            #expect(opt.metrics["grad_norm"] == 5)
            #expect(opt.metrics["skipped_steps"] == 0 && opt.metrics["resets"] == 0)
            #expect(w.value.scalars != [1, 2, 3])
        }
    }

    private func make<P: OptimizerPlugin>(_ p: P.Type, _ params: [NamedParameter]) throws -> any Optimizer {
        try P.makeOptimizer(P.Config(), parameters: params)
    }
}

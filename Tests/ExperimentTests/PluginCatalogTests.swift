import Foundation
import PluginAPI
import TensorEngine
import TensorNN
import Testing

@testable import Experiment

/// The catalog accepts the built-ins and refuses types that do not fit their descriptors.
@Suite struct PluginCatalogTests {
    @Test func builtinsRegisterWithCompleteDocumentation() throws {
        let catalog = try PluginCatalog(BuiltinPlugins.all)
        let ids = catalog.registry.plugins.map(\.id)
        #expect(
            Set(ids) == [
                "data.blobs", "data.spirals", "data.images", "data.sbm", "data.text", "data.mnist", "data.cifar10",
                "data.cifar100", "data.npz", "data.npy", "data.csv", "data.graph-files", "data.text-file", "model.mlp",
                "model.convnet", "model.resnet", "model.lkcnn", "model.gcn", "model.sage", "optim.sgd", "optim.adam",
                "optim.adamw", "train.supervised", "eval.accuracy", "stage.prune-magnitude", "model.gpt",
                "train.next-token", "eval.perplexity",
            ])
        for descriptor in catalog.registry.plugins {
            #expect(descriptor.fields.allSatisfy { !$0.doc.isEmpty }, "\(descriptor.id) has an undocumented key")
        }
    }

    struct Config: PluginConfig {
        var lr = 0.1
        static let documentation: [String: FieldDoc] = ["lr": FieldDoc("Learning rate.", range: .positive)]
    }
    struct OtherConfig: PluginConfig {
        static let documentation: [String: FieldDoc] = [:]
    }

    /// An optimizer whose descriptor claims to be a model.
    struct MislabelledPlugin: OptimizerPlugin {
        static let descriptor = PluginDescriptor(
            id: "model.oops", kind: .model, version: "1.0.0", summary: "Wrong kind", config: Config.self)
        static func makeOptimizer(_ c: Config, parameters: [NamedParameter]) throws -> any Optimizer {
            SGD(parameters, lr: c.lr)
        }
    }

    /// An optimizer whose descriptor names another configuration type.
    struct MismatchedConfigPlugin: OptimizerPlugin {
        static let descriptor = PluginDescriptor(
            id: "optim.oops", kind: .optimizer, version: "1.0.0", summary: "Wrong config", config: OtherConfig.self)
        static func makeOptimizer(_ c: Config, parameters: [NamedParameter]) throws -> any Optimizer {
            SGD(parameters, lr: c.lr)
        }
    }

    @Test func aTypeMustImplementItsDescriptorsKindWithItsConfig() {
        #expect(
            throws: PluginError.invalidDescriptor(
                id: "model.oops",
                problems: [
                    "type MislabelledPlugin implements the optimizer protocol but its descriptor's kind is model"
                ])
        ) { try PluginCatalog([MislabelledPlugin.self]) }
        #expect(
            throws: PluginError.invalidDescriptor(
                id: "optim.oops",
                problems: [
                    "type MismatchedConfigPlugin takes configuration Config but its descriptor names OtherConfig"
                ])
        ) { try PluginCatalog([MismatchedConfigPlugin.self]) }
        #expect(throws: PluginError.duplicateID("optim.sgd")) {
            try PluginCatalog(BuiltinPlugins.all + [SGDPlugin.self])
        }
    }

    @Test func textPluginsGiveText() throws {
        var rng = RandomGenerator(seed: 1)
        var config = SyntheticTextPlugin.Config()
        config.sentences = 20
        let text = try #require(try SyntheticTextPlugin.makeDataset(config, using: &rng).text)
        #expect(text.train.count > 100 && !text.validation.isEmpty)
    }
}

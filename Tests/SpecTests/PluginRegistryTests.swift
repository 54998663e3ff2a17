import Foundation
import PluginAPI
import Testing

@Suite struct PluginRegistryTests {
    @Test func registersTheFakePluginsAndListsThemByKind() throws {
        let registry = try FakePlugins.registry
        #expect(registry.plugins.count == FakePlugins.descriptors.count)
        #expect(registry.plugins(of: .optimizer).map(\.id) == ["optim.adam", "optim.adamw", "optim.sgd"])
        #expect(registry.plugins.first?.kind == .model)
        #expect(registry["optim.adamw"]?.name == "adamw")
    }

    @Test func rejectsDuplicateIDs() throws {
        var registry = try FakePlugins.registry
        #expect(throws: PluginError.duplicateID("optim.adamw")) {
            try registry.register(FakePlugins.descriptors[3])
        }
    }

    @Test func rejectsMalformedDescriptors() {
        let cases: [(PluginDescriptor, String)] = [
            (
                PluginDescriptor(
                    id: "optim.AdamW", kind: .optimizer, version: "1.0.0", summary: "x", config: NoConfig.self),
                "lowercase"
            ),
            (
                PluginDescriptor(id: "adamw", kind: .optimizer, version: "1.0.0", summary: "x", config: NoConfig.self),
                "exactly one dot"
            ),
            (
                PluginDescriptor(
                    id: "model.adamw", kind: .optimizer, version: "1.0.0", summary: "x", config: NoConfig.self),
                "must start with 'optim.'"
            ),
            (
                PluginDescriptor(
                    id: "optim.a--b", kind: .optimizer, version: "1.0.0", summary: "x", config: NoConfig.self),
                "single hyphens"
            ),
            (
                PluginDescriptor(id: "optim.ok", kind: .optimizer, version: "1.0", summary: "x", config: NoConfig.self),
                "MAJOR.MINOR.PATCH"
            ),
            (
                PluginDescriptor(
                    id: "optim.ok", kind: .optimizer, version: "1.0.0", summary: "two\nlines", config: NoConfig.self),
                "one non-empty line"
            ),
        ]
        for (descriptor, expected) in cases {
            var registry = PluginRegistry()
            #expect(throws: PluginError.self) { try registry.register(descriptor) }
            #expect(
                descriptor.definitionProblems.joined().contains(expected),
                "\(descriptor.id): \(descriptor.definitionProblems)")
        }
    }

    struct Undocumented: PluginConfig {
        var lr = 0.1
        var momentum = 0.9
        static let documentation: [String: FieldDoc] = ["lr": FieldDoc("Learning rate."), "beta": FieldDoc("Gone.")]
    }

    @Test func aMissingOrStaleDocumentationEntryFailsRegistration() {
        let descriptor = PluginDescriptor(
            id: "optim.undoc", kind: .optimizer, version: "1.0.0", summary: "x", config: Undocumented.self)
        #expect(
            descriptor.definitionProblems == [
                "key 'momentum' has no documentation", "documentation names 'beta', which is not a key",
            ])
        var registry = PluginRegistry()
        #expect(throws: PluginError.self) { try registry.register(descriptor) }
    }

    @Test func everyFakePluginIsFullyDocumented() throws {
        for descriptor in FakePlugins.descriptors {
            #expect(try descriptor.configType.documentationProblems().isEmpty, "\(descriptor.id)")
        }
    }

    struct Clashing: PluginConfig {
        var steps = 10
        static let documentation: [String: FieldDoc] = ["steps": FieldDoc("Steps.")]
    }

    @Test func aConfigKeyTheSpecReservesIsRejected() {
        let descriptor = PluginDescriptor(
            id: "train.clash", kind: .method, version: "1.0.0", summary: "x", config: Clashing.self)
        #expect(descriptor.definitionProblems.contains { $0.contains("reserved") })
    }

    @Test func suggestsCloseIDsWithinTheWantedKinds() throws {
        let registry = try FakePlugins.registry
        #expect(registry.suggestions(for: "optim.adamv", kinds: [.optimizer]) == ["optim.adam", "optim.adamw"])
        #expect(registry.suggestions(for: "adamw", kinds: [.optimizer]).first == "optim.adamw")
        #expect(registry.suggestions(for: "optim.adamw", kinds: [.model]).isEmpty)
        #expect(throws: PluginError.wrongKind(id: "optim.sgd", expected: [.model], actual: .optimizer)) {
            try registry.lookup("optim.sgd", kinds: [.model])
        }
    }

    @Test func describesFieldsWithTypesDefaultsDocsAndRanges() throws {
        let fields = try #require(try FakePlugins.registry["optim.adamw"]).fields
        #expect(fields.map(\.key) == ["lr", "betas", "weight_decay", "eps"])
        #expect(fields[0].type == .number && fields[0].defaultValue == .double(1e-3) && fields[0].rangeText == "> 0")
        #expect(fields[1].type == .array(.number) && fields[1].rangeText == "[0, 1)")
        #expect(fields[2].doc == "Decoupled weight decay.")
        let prune = try #require(try FakePlugins.registry["stage.prune-magnitude"]).fields
        #expect(prune.map(\.key) == ["sparsity", "schedule", "schedule.steps", "schedule.permanent"])
        #expect(prune[0].isRequired)
        let supervised = try #require(try FakePlugins.registry["train.supervised"]).fields
        #expect(supervised[1].typeText == "number?" && supervised[1].defaultValue == .null)
        let mlp = try #require(try FakePlugins.registry["model.mlp"]).fields
        #expect(mlp[1].rangeText == "one of: relu, gelu, tanh")
    }
}

@Suite struct PluginTextTests {
    @Test func detailTextShowsEveryKeyTypeDefaultRangeAndDoc() throws {
        let text = try #require(try FakePlugins.registry["optim.adamw"]).detailText
        #expect(
            text == """
                optim.adamw 1.0.0 (optimizer, optimizer.plugin) — Adam with decoupled weight decay

                  lr            number    0.001         > 0
                      Peak learning rate; the schedule scales it.
                  betas         [number]  [0.9, 0.999]  [0, 1)
                      Decay rates of the first and second moment estimates.
                  weight_decay  number    0.01          >= 0
                      Decoupled weight decay.
                  eps           number    1e-08         > 0
                      Added to the denominator for stability.

                """)
        let prune = try #require(try FakePlugins.registry["stage.prune-magnitude"]).detailText
        #expect(prune.contains("sparsity            number   (required)"))
        #expect(try #require(try FakePlugins.registry["eval.loss"]).detailText.hasSuffix("(no configuration)\n"))
    }

    @Test func listingGroupsPluginsByKind() throws {
        let text = try FakePlugins.registry.listingText
        #expect(
            text.hasPrefix(
                "model (model.plugin)\n  model.mlp 1.2.0  Multi-layer perceptron\n\ndataset (data.dataset)\n"))
        #expect(text.contains("  optim.adamw 1.0.0  Adam with decoupled weight decay\n"))
    }

    @Test func jsonListingCarriesFields() throws {
        let json = try #require(try FakePlugins.registry["model.mlp"]).jsonValue(includingFields: true)
        #expect(json["id"] == "model.mlp" && json["kind"] == "model")
        #expect(
            try FakePlugins.registry.jsonValue()["[0]"]
                == json.object.map { o in
                    .object(ConfigObject(o.filter { $0.key != "fields" }.map { ($0.key, $0.value) }))
                })
        #expect(
            json["fields[1]"] == [
                "key": "activation", "type": "string", "default": "relu", "doc": "Nonlinearity between layers.",
                "range": "one of: relu, gelu, tanh", "choices": ["relu", "gelu", "tanh"],
            ])
    }
}

@Suite struct ConfigCodingTests {
    @Test func snakeCasesSwiftNames() {
        #expect("weightDecay".snakeCased == "weight_decay")
        #expect("useGPUKernels".snakeCased == "use_gpu_kernels")
        #expect("memoryMB".snakeCased == "memory_mb")
        #expect("lr".snakeCased == "lr")
        #expect("already_snake".snakeCased == "already_snake")
    }

    @Test func encoderKeepsIntegersDoublesOrderAndNils() throws {
        let value = try ConfigValueEncoder().encode(SupervisedConfig())
        #expect(value == ["label_smoothing": 0.0, "grad_clip": nil])
        #expect(value.object?.keys == ["label_smoothing", "grad_clip"])
        #expect(try ConfigValueEncoder().encode(SpiralsConfig())["classes"] == .int(3))
    }

    @Test func decoderReadsSnakeKeysAndWidensIntegers() throws {
        var tree = try ConfigValueEncoder().encode(AdamWConfig())
        tree.set(.int(1), at: "lr")
        tree.set(.double(0.5), at: "weight_decay")
        let config = try ConfigValueDecoder().decode(AdamWConfig.self, from: tree)
        #expect(config.lr == 1 && config.weightDecay == 0.5)
    }

    @Test func resolveFillsDefaultsAndReportsEveryProblem() {
        let ok = AdamWConfig.resolve(["lr": 0.01])
        #expect(ok.problems.isEmpty)
        #expect(ok.value["weight_decay"] == .double(0.01) && (ok.config as? AdamWConfig)?.lr == 0.01)

        let bad = AdamWConfig.resolve(["lrr": 0.01, "weight_decay": "lots", "eps": -1, "betas": [0.9]])
        #expect(bad.config == nil)
        #expect(bad.problems.map(\.kind) == [.unknownKey, .wrongType, .outOfRange])
        #expect(bad.problems[0].message == "unknown key 'lrr'; did you mean 'lr'?")
        #expect(bad.problems[1].message == "expected a number, found a string")
        #expect(bad.problems[2].description == "eps: must be > 0 (got -1)")

        // `validate` runs once the declared checks pass.
        let rule = AdamWConfig.resolve(["betas": [0.9]])
        #expect(rule.problems.map(\.description) == ["betas: must hold exactly two values (beta1, beta2)"])
    }

    @Test func requiredKeysMustBeGiven() {
        let missing = PruneConfig.resolve([:])
        #expect(missing.problems.map(\.description) == ["sparsity: missing required key 'sparsity'"])
        let nested = PruneConfig.resolve(["sparsity": 0.5, "schedule": ["steps": 0, "permanant": true]])
        #expect(
            nested.problems.map(\.description) == [
                "schedule.permanant: unknown key 'permanant'; did you mean 'permanent'?",
                "schedule.steps: must be >= 1 (got 0)",
            ])
    }
}

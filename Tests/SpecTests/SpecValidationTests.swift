import Foundation
import PluginAPI
import Spec
import Testing

/// Every validation error kind, each fed by a real file, with its message and position checked.
@Suite struct SpecValidationTests {
    let dir: TempDir
    let loader: SpecLoader

    init() throws {
        dir = try TempDir()
        loader = SpecLoader(registry: try FakePlugins.registry)
    }

    /// The problems for `yaml` written to `spec.yaml`, rendered relative to the temp dir.
    private func problems(_ yaml: String, file: String = "spec.yaml") throws -> [String] {
        let url = try dir.write(file, yaml)
        return loader.validate(contentsOf: url).map {
            $0.description.replacingOccurrences(of: dir.url.path + "/", with: "")
        }
    }

    @Test func theIssueExampleIsValid() throws {
        let url = try dir.write("spirals.yaml", spiralsSpec)
        guard case .single(let spec) = try loader.load(contentsOf: url) else {
            Issue.record("expected one run")
            return
        }
        #expect(spec.name == "spirals-mlp" && spec.seed == 7)
        #expect(spec.optimizer?.schedule.kind == .cosine && spec.optimizer?.schedule.warmup == 100)
        #expect(spec.optimizer?.plugin.config(as: AdamWConfig.self)?.lr == 3e-3)
        #expect(spec.model.config(as: MLPConfig.self)?.hidden == [128, 128])
        #expect(
            spec.train?.loop
                == {
                    var l = TrainingLoop()
                    l.steps = 2000
                    l.batch = 128
                    return l
                }())
        #expect(spec.eval.evaluators.map(\.id) == ["eval.accuracy"] && spec.eval.every == 200)
        #expect(spec.checkpoint.every == 500 && spec.checkpoint.keep == 3)
        // Defaults are filled in.
        #expect(spec.data.values["noise"] == .double(0.1))
        #expect(spec.optimizer?.plugin.values["weight_decay"] == .double(0.01))
    }

    @Test func nameDefaultsToTheFileName() throws {
        let url = try dir.write(
            "my-run.yaml", spiralsSpec.replacingOccurrences(of: "name: spirals-mlp ", with: "# no name"))
        #expect(try loader.load(contentsOf: url).runs.first?.name == "my-run")
    }

    @Test func unknownKeyIsReportedAtTheKeyWithDidYouMean() throws {
        let found = try problems(
            """
            data: {dataset: data.spirals}
            model:
              plugin: model.mlp
              hiden: [32]
            optimizer: {plugin: optim.adamw}
            train: {method: train.supervised, steps: 10, bacth: 8}
            chekpoint: {every: 5}
            """)
        #expect(
            found == [
                "spec.yaml:4:3: model.hiden: unknown key 'hiden'; did you mean 'hidden'?",
                "spec.yaml:6:46: train.bacth: unknown key 'bacth'; did you mean 'batch'?",
                "spec.yaml:7:1: chekpoint: unknown key 'chekpoint'; did you mean 'checkpoint'?",
            ])
    }

    @Test func unknownPluginListsTheCloseOnes() throws {
        let found = try problems(
            """
            data: {dataset: data.spirals}
            model: {plugin: model.mlp}
            optimizer: {plugin: optim.adamv}
            train: {method: train.supervized, steps: 10}
            eval: {evaluators: [eval.acuracy, optim.sgd]}
            """)
        #expect(
            found == [
                "spec.yaml:3:21: optimizer.plugin: unknown optimizer plugin 'optim.adamv'; did you mean 'optim.adam', 'optim.adamw'?",
                "spec.yaml:4:17: train.method: unknown method plugin 'train.supervized'; did you mean 'train.supervised'?",
                "spec.yaml:5:21: eval.evaluators[0].plugin: unknown evaluator plugin 'eval.acuracy'; did you mean 'eval.accuracy'?",
                "spec.yaml:5:35: eval.evaluators[1].plugin: 'optim.sgd' is an optimizer plugin; this slot takes an evaluator plugin",
            ])
    }

    @Test func wrongTypesAreReportedAtTheValue() throws {
        let found = try problems(
            """
            seed: seven
            data: {dataset: data.spirals, classes: 2.5}
            model: {plugin: model.mlp, hidden: 128}
            optimizer:
              plugin: optim.adamw
              lr: fast
              schedule: cosine
            train: {method: train.supervised, steps: 10}
            checkpoint: 5
            """)
        #expect(
            found == [
                "spec.yaml:1:7: seed: expected an integer, found a string",
                "spec.yaml:2:40: data.classes: expected an integer, found a number (2.5 is not a whole number)",
                "spec.yaml:3:36: model.hidden: expected a list of integers, found an integer",
                "spec.yaml:6:7: optimizer.lr: expected a number, found a string",
                "spec.yaml:7:13: optimizer.schedule: expected a mapping, found a string",
                "spec.yaml:9:13: checkpoint: expected a mapping, found an integer",
            ])
    }

    @Test func valuesOutOfRangeAreReported() throws {
        let found = try problems(
            """
            priority: 500
            data: {dataset: data.spirals, classes: 1}
            model: {plugin: model.mlp, hidden: [64, 0], dropout: 1.0, activation: rleu}
            optimizer: {plugin: optim.adamw, lr: -3e-3, schedule: {kind: cosine, final_ratio: 2}}
            train: {method: train.supervised, steps: 0}
            """)
        #expect(
            found == [
                "spec.yaml:1:11: priority: must be in [-100, 100] (got 500)",
                "spec.yaml:2:40: data.classes: must be >= 2 (got 1)",
                "spec.yaml:3:41: model.hidden[1]: must be >= 1 (got 0)",
                "spec.yaml:3:54: model.dropout: must be in [0, 1) (got 1.0)",
                "spec.yaml:3:71: model.activation: must be one of relu, gelu, tanh (got 'rleu'); did you mean 'relu'?",
                "spec.yaml:4:38: optimizer.lr: must be > 0 (got -0.003)",
                "spec.yaml:4:83: optimizer.schedule.final_ratio: must be in [0, 1] (got 2)",
                "spec.yaml:5:42: train.steps: must be >= 1 (got 0)",
            ])
    }

    @Test func numbersMustBeFinite() throws {
        // `1e400` reads as infinity; NaN and -inf fail the same way.
        let found = try problems(
            """
            data: {dataset: data.spirals, noise: .inf}
            model: {plugin: model.mlp, dropout: .nan}
            optimizer: {plugin: optim.adamw, lr: .inf, weight_decay: 1e400, betas: [0.9, -.inf]}
            train: {method: train.supervised, steps: 10}
            """)
        #expect(
            found == [
                "spec.yaml:1:38: data.noise: must be a finite number (got inf)",
                "spec.yaml:2:37: model.dropout: must be a finite number (got nan)",
                "spec.yaml:3:38: optimizer.lr: must be a finite number (got inf)",
                "spec.yaml:3:58: optimizer.weight_decay: must be a finite number (got inf)",
                "spec.yaml:3:78: optimizer.betas[1]: must be a finite number (got -inf)",
            ])
    }

    @Test func missingRequiredKeysAreReportedAtTheMappingThatLacksThem() throws {
        let found = try problems(
            """
            model: {plugin: model.mlp}
            train:
              method: train.supervised
              batch: 16
            stages:
              - {plugin: stage.prune-magnitude}
            """)
        #expect(
            found == [
                "spec.yaml:1:1: data: missing required key 'data'",
                "spec.yaml:1:1: optimizer: missing required key 'optimizer': 'train' needs one",
                "spec.yaml:3:3: train.steps: missing required key 'steps'",
                "spec.yaml:5:1: stages: a spec has either 'train' or 'stages', not both",
                "spec.yaml:6:5: stages[0].sparsity: missing required key 'sparsity'",
            ])
    }

    @Test func crossKeyRulesFromValidateAreReported() throws {
        let found = try problems(
            """
            data: {dataset: data.spirals}
            model: {plugin: model.mlp}
            optimizer: {plugin: optim.sgd, nesterov: true}
            train: {method: train.supervised, steps: 10}
            """)
        #expect(found == ["spec.yaml:3:42: optimizer.nesterov: needs momentum > 0"])
    }

    @Test func syntaxErrorsKeepLibyamlsPosition() throws {
        let found = try problems(
            """
            name: broken
            model: {plugin: model.mlp, hidden: [128, 128}
            """)
        #expect(found.count == 1)
        #expect(found[0].hasPrefix("spec.yaml:2:45: syntax error: did not find expected ',' or ']'"), "\(found)")
        #expect(found[0].contains("while parsing a flow sequence at 2:36"))

        let tab = try problems("data:\n\t dataset: data.spirals\n")
        #expect(tab.first?.hasPrefix("spec.yaml:2:1: syntax error:") == true, "\(tab)")

        // Reported at the repeat, which is the line to remove, not at the first occurrence.
        let duplicate = try problems("seed: 1\nseed: 2\n")
        #expect(duplicate == ["spec.yaml:2:1: duplicate key 'seed' in one mapping"])
        let third = try problems("name: a\nseed: 1\nseed: 2\nseed: 3\n")
        #expect(third == ["spec.yaml:3:1: duplicate key 'seed' in one mapping"])
        let nested = try problems("data:\n  dataset: data.spirals\n  classes: 3\n  noise: 0.1\n  classes: 4\n")
        #expect(nested == ["spec.yaml:5:3: duplicate key 'classes' in one mapping"])
        let flow = try problems("data: {dataset: data.spirals, 'classes': 3, classes: 4}\n")
        #expect(flow == ["spec.yaml:1:45: duplicate key 'classes' in one mapping"])
    }

    @Test func billionLaughsIsRejectedInMilliseconds() throws {
        // Nine levels of nine aliases each: about 387 million leaves once expanded.
        var yaml = "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...8 {
            yaml +=
                "l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 9).joined(separator: ", ") + "]\n"
        }
        let url = try dir.write("laughs.yaml", yaml)
        let clock = ContinuousClock()
        var problems: [SpecProblem] = []
        let elapsed = clock.measure { problems = loader.validate(contentsOf: url) }
        #expect(problems.map(\.kind) == [.aliasBudget])
        #expect(problems.first?.message == "aliases expand the document past 100000 nodes; refusing to read it")
        #expect(elapsed < .milliseconds(500), "took \(elapsed)")
    }

    @Test func aliasesUsedAsMappingKeysAreAlsoCheap() throws {
        // Yams hashes mapping keys to find duplicates; a huge aliased key must not make that slow.
        var yaml = "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...7 {
            yaml +=
                "l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 9).joined(separator: ", ") + "]\n"
        }
        yaml += "bomb: {? *l7 : 1, ? *l6 : 2}\n"
        let url = try dir.write("keys.yaml", yaml)
        let clock = ContinuousClock()
        var problems: [SpecProblem] = []
        let elapsed = clock.measure { problems = loader.validate(contentsOf: url) }
        #expect(problems.map(\.kind) == [.aliasBudget])
        #expect(problems.first.map { "\($0.line):\($0.column)" } == "9:8")
        #expect(elapsed < .milliseconds(500), "took \(elapsed)")
    }

    @Test func aliasesAsValuesCommentsAndQuotedTextStillWork() throws {
        let url = try dir.write(
            "aliases.yaml",
            """
            name: "*not: an alias"   # nor is this: *x: 1
            seed: 7
            data: {dataset: data.spirals, classes: &arms 4}
            model: {plugin: model.mlp, hidden: &width [32, 32]}
            optimizer: {plugin: optim.adamw, lr: 3e-3}
            train: {method: train.supervised, steps: &steps 10, batch: *arms}
            eval: {every: *steps, evaluators: ['*a: b']}
            """)
        let found = loader.validate(contentsOf: url).map(\.message)
        // Only ordinary complaints: the quoted texts were read as text, not refused as aliased keys.
        #expect(
            found == [
                "'*not: an alias' is not a usable run name: letters, digits and . _ = , + - only, starting with a letter or digit",
                "unknown evaluator plugin '*a: b'; known: eval.accuracy, eval.loss",
            ])
    }

    @Test func filesOverTheSizeLimitAreRejectedBeforeParsing() throws {
        let url = try dir.write("huge.yaml", "# " + String(repeating: "x", count: 1 << 20) + "\n")
        let found = loader.validate(contentsOf: url)
        #expect(found.map(\.kind) == [.tooLarge])
        #expect(
            found.first?.description.hasSuffix(
                "huge.yaml: the spec is 1048579 bytes, over the 1048576-byte limit (1024 KiB)") == true)
    }

    @Test func unreadableFilesAreReported() throws {
        #expect(loader.validate(contentsOf: dir.url.appendingPathComponent("absent.yaml")).map(\.kind) == [.unreadable])
        #expect(loader.validate(contentsOf: try dir.folder("folder.yaml")).map(\.kind) == [.unreadable])
        let binary = dir.url.appendingPathComponent("binary.yaml")
        try Data([0xff, 0xfe, 0x00, 0x41]).write(to: binary)
        #expect(loader.validate(contentsOf: binary).map(\.kind) == [.unreadable])
    }

    @Test func everyProblemIsReportedAtOnce() throws {
        let url = try dir.write(
            "many.yaml",
            """
            sede: 1
            data: {dataset: data.spirals, classes: many}
            model: {plugin: model.mpl}
            optimizer: {plugin: optim.adamw, lr: 0}
            train: {method: train.supervised}
            """)
        do {
            _ = try loader.load(contentsOf: url)
            Issue.record("expected a SpecError")
        } catch {
            #expect(error.problems.map(\.kind) == [.unknownKey, .wrongType, .unknownPlugin, .outOfRange, .missingKey])
            #expect(error.problems.map(\.line) == [1, 2, 3, 4, 5])
            #expect(error.description.split(separator: "\n").count == 5)
            #expect(error.problems[0].suggestions == ["seed"])
        }
    }

    @Test func mergeKeysAndQuotedScalarsFollowYAML() throws {
        let url = try dir.write(
            "merge.yaml",
            """
            defaults: &base {dataset: data.spirals, classes: 4}
            """)
        // `defaults` is not a spec key: anchors must live inside known keys.
        #expect(loader.validate(contentsOf: url).contains { $0.message.hasPrefix("unknown key 'defaults'") })

        let merged = try dir.write(
            "merged.yaml",
            spiralsSpec.replacingOccurrences(
                of: "data:  {dataset: data.spirals, classes: 3, train: 3000, test: 1000}",
                with: "data: &d {dataset: data.spirals, classes: 3}\nmodel_data: {<<: *d, classes: 5}"))
        #expect(
            loader.validate(contentsOf: merged).map(\.message) == ["unknown key 'model_data'; did you mean 'model'?"])

        let quoted = try dir.write(
            "quoted.yaml", spiralsSpec.replacingOccurrences(of: "train: 3000", with: "train: \"3000\""))
        #expect(loader.validate(contentsOf: quoted).map(\.message) == ["expected an integer, found a string"])
    }
}

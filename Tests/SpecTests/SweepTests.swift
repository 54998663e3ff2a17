import Foundation
import PluginAPI
import Spec
import Testing

@Suite struct SweepTests {
    let dir: TempDir
    let loader: SpecLoader

    init() throws {
        dir = try TempDir()
        loader = SpecLoader(registry: try FakePlugins.registry)
    }

    private func plan(_ sweep: String, seed: Int = 7) throws -> SweepPlan {
        let yaml = spiralsSpec.replacingOccurrences(of: "seed: 7", with: "seed: \(seed)") + sweep
        let url = try dir.write("sweep.yaml", yaml)
        guard case .sweep(let plan) = try loader.load(contentsOf: url) else { throw SweepTestError.notASweep }
        return plan
    }

    enum SweepTestError: Error { case notASweep }

    @Test func gridOfTwoByTwoGivesFourNamedChildren() throws {
        let plan = try plan(
            """
            sweep:
              optimizer.lr: [1e-3, 3e-3]
              train.batch: [64, 128]
            """)
        #expect(
            plan.children.map(\.label) == [
                "000-lr=0.001,batch=64", "001-lr=0.001,batch=128", "002-lr=0.003,batch=64", "003-lr=0.003,batch=128",
            ])
        // Folders follow the file (`sweep.yaml`), as `sweep.run` does; the run names follow `name:`.
        #expect(plan.children[3].directory == "sweep.sweep/003-lr=0.003,batch=128")
        #expect(plan.children[3].spec.name == "spirals-mlp/003-lr=0.003,batch=128")
        #expect(
            plan.children.map { $0.spec.optimizer?.plugin.config(as: AdamWConfig.self)?.lr } == [
                1e-3, 1e-3, 3e-3, 3e-3,
            ])
        #expect(plan.children.map { $0.spec.train?.loop.batch } == [64, 128, 64, 128])
        #expect(plan.directory == "sweep.sweep" && plan.samples == 1)
        // Keys the spec did not set are inserted; the rest of the spec is untouched.
        #expect(plan.children.allSatisfy { $0.spec.train?.loop.steps == 2000 })
    }

    @Test func randomDrawsAreDeterministicForASeed() throws {
        let sweep = """
            sweep:
              optimizer.lr: {log_uniform: [1e-4, 1e-1]}
              train.batch: {choice: [32, 64, 128]}
              model.hidden: [[64], [128, 128]]
              samples: 3
            """
        let first = try plan(sweep, seed: 11)
        let again = try plan(sweep, seed: 11)
        let other = try plan(sweep, seed: 12)
        #expect(first.children.count == 6)
        #expect(first.children.map(\.assignments) == again.children.map(\.assignments))
        #expect(first.children.map(\.assignments) != other.children.map(\.assignments))
        for child in first.children {
            let lr = try #require(child.spec.optimizer?.plugin.config(as: AdamWConfig.self)?.lr)
            #expect(lr >= 1e-4 && lr <= 1e-1)
            #expect([32, 64, 128].contains(child.spec.train?.loop.batch ?? 0))
        }
        #expect(first.children.prefix(3).allSatisfy { $0.spec.model.config(as: MLPConfig.self)?.hidden == [64] })
        #expect(first.children[0].label.hasPrefix("000-lr="))
        #expect(first.children[0].label.contains(",hidden=64"))
    }

    @Test func integerKeysDrawIntegersNumberKeysDrawNumbersEvenWithIntegerBounds() throws {
        let plan = try plan(
            """
            sweep:
              train.batch: {uniform: [8, 16]}
              optimizer.weight_decay: {uniform: [0, 1]}
              optimizer.eps: {log_uniform: [1, 100]}
              seed: [1, 2]
              samples: 4
            """)
        #expect(plan.children.count == 8)
        var decays: [Double] = []
        for child in plan.children {
            guard case .int(let batch) = child.assignments[0].value else {
                Issue.record("batch: not an integer")
                continue
            }
            #expect((8...16).contains(batch) && child.spec.train?.loop.batch == batch)
            guard case .double(let decay) = child.assignments[1].value,
                case .double(let eps) = child.assignments[2].value
            else {
                Issue.record("weight_decay or eps: not a number")
                continue
            }
            #expect(decay >= 0 && decay <= 1 && (1...100).contains(eps))
            #expect(child.spec.optimizer?.plugin.config(as: AdamWConfig.self)?.weightDecay == decay)
            decays.append(decay)
        }
        // Drawn as numbers, not as the whole numbers 0 and 1.
        #expect(Set(decays).count == 8 && decays.allSatisfy { $0 != 0 && $0 != 1 }, "\(decays)")
        #expect(plan.children.map(\.spec.seed) == [1, 1, 1, 1, 2, 2, 2, 2])
    }

    @Test func aRandomAxisDrawsTheSameValuesForTheSameSeed() throws {
        let sweep =
            "sweep:\n  optimizer.weight_decay: {uniform: [0, 1]}\n  train.batch: {uniform: [8, 16]}\n  samples: 5\n"
        #expect(
            try plan(sweep, seed: 3).children.map(\.assignments) == plan(sweep, seed: 3).children.map(\.assignments))
    }

    /// The problems with `spiralsSpec` plus `sweep`, written to `file`, relative to the temp dir.
    private func problems(_ sweep: String, file: String = "s.yaml") throws -> [String] {
        let url = try dir.write(file, spiralsSpec + sweep)
        return loader.validate(contentsOf: url).map {
            $0.description.replacingOccurrences(of: dir.url.path + "/", with: "")
        }
    }

    @Test func sweptKeysAndBoundsMustBeFiniteAndFitTheKey() throws {
        let cases: [(String, [String])] = [
            (
                "sweep:\n  optimizer.lr: {log_uniform: [1e-4, .inf]}\n  samples: 2\n",
                ["s.yaml:10:38: sweep[\"optimizer.lr\"].log_uniform[1]: must be a finite number (got inf)"]
            ),
            (
                "sweep:\n  optimizer.lr: {choice: [0.1, .inf]}\n  samples: 2\n",
                ["s.yaml:10:32: sweep[\"optimizer.lr\"].choice[1]: must be a finite number (got inf)"]
            ),
            // An integer key with fractional bounds: one problem at the bounds, not one per draw.
            (
                "sweep:\n  train.batch: {uniform: [8.5, 16]}\n  samples: 6\n",
                [
                    "s.yaml:10:26: sweep[\"train.batch\"].uniform: train.batch is an integer; "
                        + "the bounds must be whole numbers (got [8.5, 16])"
                ]
            ),
            (
                "sweep:\n  model.activation: {uniform: [0, 1]}\n  samples: 2\n",
                ["s.yaml:10:31: sweep[\"model.activation\"].uniform: model.activation holds a string, not a number"]
            ),
        ]
        for (sweep, expected) in cases {
            let found = try problems(sweep)
            #expect(found == expected)
        }
    }

    @Test func aMalformedRandomAxisIsReportedAlone() throws {
        // Each with `samples`, which is not also told that the sweep lacks a random axis.
        let cases: [(String, String)] = [
            ("{log_uniform: [0, 0.1]}", "r.yaml:10:31: sweep[\"optimizer.lr\"].log_uniform: log_uniform needs low > 0"),
            (
                "{uniform: [0.1, 0.01]}",
                "r.yaml:10:27: sweep[\"optimizer.lr\"].uniform: expected [low, high] with low < high"
            ),
            ("{choice: []}", "r.yaml:10:26: sweep[\"optimizer.lr\"].choice: expected a non-empty list of values"),
        ]
        for (axis, expected) in cases {
            let found = try problems("sweep:\n  optimizer.lr: \(axis)\n  samples: 6\n", file: "r.yaml")
            #expect(found == [expected])
        }
    }

    @Test func aProblemEveryChildSharesIsReportedOnce() throws {
        // Both children misspell the same key; the first value's position stands for both.
        let found = try problems("sweep:\n  optimiser.lr: [0.1, 0.2]\n")
        #expect(found == ["s.yaml:10:18: optimiser: unknown key 'optimiser'; did you mean 'optimizer'?"])
    }

    @Test func anEntryOfADefaultedListCanBeSwept() throws {
        let plan = try plan("sweep:\n  optimizer.betas[0]: [0.8, 0.85]\n")
        #expect(
            plan.children.map { $0.spec.optimizer?.plugin.config(as: AdamWConfig.self)?.betas } == [
                [0.8, 0.999], [0.85, 0.999],
            ])
        // A position the list lacks, and a list that neither the spec nor the defaults have.
        let missing = try problems("sweep:\n  model.hidden[2]: [8, 16]\n")
        #expect(missing == ["s.yaml:10:3: sweep[\"model.hidden[2]\"]: model.hidden has 2 entries, so there is no [2]"])
        let unknown = try problems("sweep:\n  stages[0].sparsity: [0.1, 0.2]\n")
        #expect(
            unknown == [
                "s.yaml:10:3: sweep[\"stages[0].sparsity\"]: write stages in the spec to sweep one of its entries"
            ])
    }

    @Test func aKeyInsideAPlainValueCannotBeSweptSilently() throws {
        // `eval.accuracy` is written as an id, not a mapping: its keys cannot be set from the sweep.
        #expect(
            try problems("sweep:\n  eval.evaluators[0].top_k: [1, 2]\n") == [
                "s.yaml:10:3: sweep[\"eval.evaluators[0].top_k\"]: cannot sweep inside eval.evaluators[0]: it is "
                    + "written as a string (eval.accuracy); write it as a mapping to sweep its keys"
            ])
        #expect(
            try problems("sweep:\n  model.plugin[0]: [a, b]\n") == [
                "s.yaml:10:3: sweep[\"model.plugin[0]\"]: cannot sweep inside model.plugin: it is written as a "
                    + "string (model.mlp); write it as a list to sweep its entries"
            ])
    }

    @Test func twoFilesWithTheSameNameKeepTheirChildrenApart() throws {
        let sweep = "sweep:\n  optimizer.lr: [1e-3, 3e-3]\n"
        var plans: [SweepPlan] = []
        for file in ["first.yaml", "second.yaml"] {
            guard case .sweep(let plan) = try loader.load(contentsOf: try dir.write(file, spiralsSpec + sweep)) else {
                throw SweepTestError.notASweep
            }
            plans.append(plan)
        }
        #expect(plans.map(\.name) == ["spirals-mlp", "spirals-mlp"])
        #expect(plans.map(\.directory) == ["first.sweep", "second.sweep"])
        #expect(plans.map { $0.children[1].directory } == ["first.sweep/001-lr=0.003", "second.sweep/001-lr=0.003"])
    }

    @Test func badSweepValuesAreReportedWhereTheyAreWritten() throws {
        let url = try dir.write(
            "bad.yaml",
            spiralsSpec + """
                sweep:
                  optimizer.lr: [1e-3, -1]
                  optimizer.lrr: [1]
                  train.batch: {normal: [1, 2]}
                """)
        let found = loader.validate(contentsOf: url).map {
            $0.description.replacingOccurrences(of: dir.url.path + "/", with: "")
        }
        #expect(found == ["bad.yaml:12:17: sweep[\"train.batch\"].normal: unknown draw 'normal'"])

        let values = try dir.write(
            "values.yaml",
            spiralsSpec + """
                sweep:
                  optimizer.lr: [1e-3, -1]
                  optimizer.lrr: [1]
                """)
        let valueProblems = loader.validate(contentsOf: values).map {
            $0.description.replacingOccurrences(of: dir.url.path + "/", with: "")
        }
        #expect(
            valueProblems == [
                "values.yaml:10:24: optimizer.lr: must be > 0 (got -1)",
                "values.yaml:11:19: optimizer.lrr: unknown key 'lrr'; did you mean 'lr'?",
            ])
    }

    @Test func childrenReEmitAsPlainSpecsAndListPositionsCanBeSwept() throws {
        let yaml = """
            name: chain
            data: {dataset: data.spirals}
            model: {plugin: model.mlp}
            optimizer: {plugin: optim.sgd}
            stages:
              - {plugin: train.supervised, steps: 10}
              - {plugin: stage.prune-magnitude, sparsity: 0.1}
            sweep:
              stages[1].sparsity: [0.25, 0.5]
            """
        guard case .sweep(let plan) = try loader.load(contentsOf: try dir.write("chain.yaml", yaml)) else {
            throw SweepTestError.notASweep
        }
        #expect(plan.children.map(\.label) == ["000-sparsity=0.25", "001-sparsity=0.5"])
        #expect(plan.children.map { $0.spec.stages[1].plugin.config(as: PruneConfig.self)?.sparsity } == [0.25, 0.5])
        for child in plan.children {
            let text = child.spec.resolvedYAML()
            let again = try loader.load(contentsOf: try dir.write("child.resolved.yaml", text))
            #expect(again == .single(child.spec))
        }
    }

    @Test func samplesAreRequiredForRandomAxesAndTheSizeIsCapped() throws {
        let small = SpecLoader(registry: try FakePlugins.registry, limits: .init(maxSweepPoints: 10))
        let noSamples = try dir.write("a.yaml", spiralsSpec + "sweep:\n  optimizer.lr: {uniform: [0.1, 0.2]}\n")
        #expect(
            small.validate(contentsOf: noSamples).map(\.message) == [
                "random axes need 'samples', the number of draws per grid point"
            ])
        let big = try dir.write("b.yaml", spiralsSpec + "sweep:\n  seed: [1, 2, 3, 4]\n  train.batch: [1, 2, 3]\n")
        #expect(small.validate(contentsOf: big).map(\.message) == ["the sweep has more than 10 points"])
    }

    @Test func summaryTablesListEveryChildsFinalMetrics() throws {
        let plan = try plan(
            """
            sweep:
              optimizer.lr: [1e-3, 3e-3]
              train.batch: [64, 128]
            """)
        let metrics: [String: [String: Double]] = [
            plan.children[0].label: ["accuracy": 0.91, "loss": 0.25],
            plan.children[1].label: ["accuracy": 0.93],
            plan.children[3].label: ["accuracy": 0.88, "loss": 0.4],
        ]
        let states = [
            plan.children[0].label: "succeeded", plan.children[1].label: "succeeded",
            plan.children[2].label: "failed:non_finite_loss", plan.children[3].label: "succeeded",
        ]
        let table = plan.summary(finalMetrics: metrics, states: states)
        #expect(
            table.csv == """
                run,state,lr,batch,accuracy,loss
                "000-lr=0.001,batch=64",succeeded,0.001,64,0.91,0.25
                "001-lr=0.001,batch=128",succeeded,0.001,128,0.93,
                "002-lr=0.003,batch=64",failed:non_finite_loss,0.003,64,,
                "003-lr=0.003,batch=128",succeeded,0.003,128,0.88,0.4

                """)
        #expect(table.markdown.split(separator: "\n")[0] == "| run | state | lr | batch | accuracy | loss |")
        #expect(
            table.markdown.split(separator: "\n")[4]
                == "| 002-lr=0.003,batch=64 | failed:non_finite_loss | 0.003 | 64 | — | — |")
        // A child the sweep has not reached yet.
        #expect(
            plan.summary(finalMetrics: [:], states: [:]).rows[0] == [
                "000-lr=0.001,batch=64", "not started", "0.001", "64",
            ])

        let written = try plan.writeSummary(
            finalMetrics: metrics, states: states, in: dir.url.appendingPathComponent(plan.directory))
        #expect(written.map(\.lastPathComponent) == ["summary.csv", "summary.md"])
        #expect(try String(contentsOf: written[0], encoding: .utf8) == table.csv)
        #expect(
            try String(contentsOf: written[1], encoding: .utf8).contains(
                "| 000-lr=0.001,batch=64 | succeeded | 0.001 | 64 | 0.91 | 0.25 |"))
        // A swept key whose name is also a metric's is headed by its whole path: no column name repeats.
        let clash = plan.summary(finalMetrics: [plan.children[0].label: ["lr": 0.001, "batch": 1]], states: [:])
        #expect(clash.columns == ["run", "state", "optimizer.lr", "train.batch", "batch", "lr"])
    }
}

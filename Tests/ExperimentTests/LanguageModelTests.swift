import Foundation
import PluginAPI
import TensorEngine
import TensorNN
import Testing

@testable import Experiment

/// Text windows, `model.gpt`, `train.next-token` and `eval.perplexity`.
@Suite struct LanguageModelTests {
    @Test func textIsCutIntoTrainingAndValidationWindows() throws {
        let windowing = TextWindowing(context: 3, stride: 2)
        let text = TextDataset(name: "t", train: Array(0..<10), validation: Array(20..<27), windowing: windowing)
        #expect(text.windowingProblem == nil)
        let data = text.windowed()
        // Training windows of 4 bytes every 2; validation windows every 3 (the context), so no target repeats.
        #expect(data.train.inputs.shape == [4, 4] && data.test.inputs.shape == [2, 4] && data.classCount == 256)
        #expect(data.train.inputs.scalars == [0, 1, 2, 3, 2, 3, 4, 5, 4, 5, 6, 7, 6, 7, 8, 9])
        #expect(data.train.labels.scalars == [3, 5, 7, 9], "a window's label is its last byte")
        #expect(data.test.inputs.scalars == [20, 21, 22, 23, 23, 24, 25, 26])

        let short = TextDataset(
            name: "short", train: Array(0..<10), validation: [1, 2, 3], windowing: TextWindowing(context: 3))
        #expect(
            short.windowingProblem
                == "the validation split of 'short' has 3 bytes, fewer than one window of context 3 + 1; use more "
                + "text or a shorter context")
        #expect(Dataset.text(short).supervisedView == nil)
    }

    @Test func aTextFileShorterThanOneWindowIsAnInvalidSpecAtTheContext() async throws {
        let dir = TemporaryDirectory()
        dir.write("tiny.txt", text: String(repeating: "a tiny story. ", count: 8))
        let (report, folder) = await RunHarness.run(
            """
            data: {dataset: data.text-file, file: tiny.txt, context: 64}
            model: {plugin: model.gpt, layers: 1, d_model: 16, heads: 2, context: 64}
            optimizer: {plugin: optim.adam}
            train: {method: train.next-token, steps: 5, batch: 4}
            """, name: "tiny", in: dir)
        #expect(report.failure == .invalidSpec && report.exitCode == KilnExitCode.invalidSpec, "\(report.message)")
        #expect(
            report.message.hasPrefix("data.context: the validation split of 'tiny' has "), "\(report.message)")
        #expect(try RunHarness.status(folder).failure == .invalidSpec)
    }

    /// A bigram table as a language model: logits for byte b are row b of a 256×256 table.
    private func bigram(_ entries: [(from: Character, to: Character, logit: Float)]) -> Embedding {
        var table = [Float](repeating: 0, count: 256 * 256)
        for e in entries { table[Int(e.from.asciiValue!) * 256 + Int(e.to.asciiValue!)] = e.logit }
        return Embedding(weight: Tensor([256, 256], table))
    }

    private func windows(_ texts: [String]) -> Tensor {
        Tensor([texts.count, texts[0].utf8.count], texts.flatMap { $0.utf8.map(Float.init) })
    }

    @Test func nextTokenLossIsTheHandComputedCrossEntropy() throws {
        let model = bigram([("a", "b", 2), ("b", "a", 1)])
        let method = try NextTokenPlugin(config: .init(), task: TaskInfo(exampleShape: [4], classCount: 256))
        var rng = RandomGenerator(seed: 0)
        let batch = Minibatch(inputs: windows(["abca"]), labels: Tensor([1], [97]), indices: [0])
        let output = try method.loss(model: model, batch: batch, rng: &rng)
        // a→b: row a has 2 at b, 0 at the 255 others; b→c: row b has 1 at a; c→a: row c is all 0 (uniform).
        let e = exp(1.0)
        let expected = (log(e * e + 255) - 2 + log(e + 255) + log(256.0)) / 3
        #expect(abs(Double(output.loss.item) - expected) < 1e-5, "\(output.loss.item) vs \(expected)")
        #expect(output.metrics["accuracy"] == 1.0 / 3, "only a→b is the arg-max")
    }

    @Test func aUniformModelHasPerplexity256() throws {
        var config = PerplexityPlugin.Config()
        config.batch = 2  // 5 windows in chunks of 2, 2, 1
        let split = DataSplit(
            inputs: windows(["hello kiln", "the clay. ", "fire it up", "a bowl of ", "water too."]),
            labels: Tensor.zeros([5]))
        let evaluation = try PerplexityPlugin.evaluate(
            config, model: bigram([]), split: split, task: TaskInfo(exampleShape: [10], classCount: 256))
        #expect(abs(evaluation.metrics["perplexity"]! - 256) < 1e-3)
        #expect(abs(evaluation.metrics["loss"]! - log(256.0)) < 1e-5, "float32 cross-entropy")
        #expect(abs(evaluation.metrics["bits_per_byte"]! - 8) < 1e-5)
        #expect(evaluation.metrics["bytes"] == 45)
    }

    @Test func perplexityWeighsEveryByteOnce() throws {
        // Two windows scored in one pass or in two must agree: the mean is over bytes, not over chunks.
        let model = bigram([("a", "b", 3), ("b", "a", 3)])
        let split = DataSplit(inputs: windows(["ababab", "abcxyz"]), labels: Tensor.zeros([2]))
        let task = TaskInfo(exampleShape: [6], classCount: 256)
        var one = PerplexityPlugin.Config()
        one.batch = 1
        let whole = try PerplexityPlugin.evaluate(.init(), model: model, split: split, task: task)
        let chunked = try PerplexityPlugin.evaluate(one, model: model, split: split, task: task)
        #expect(abs(whole.metrics["loss"]! - chunked.metrics["loss"]!) < 1e-6)
        var first = PerplexityPlugin.Config()
        first.maxWindows = 1
        let p = log(exp(3.0) + 255) - 3
        #expect(abs(try PerplexityPlugin.evaluate(first, model: model, split: split, task: task).metrics["loss"]! - p)
                < 1e-5, "the first window alone: five confident, correct predictions")
    }

    @Test func gptDefaultsAreTheBenchmarksModel() throws {
        var rng = RandomGenerator(seed: 1)
        let model = try GPTPlugin.makeModel(
            .init(), task: TaskInfo(exampleShape: [129], classCount: 256), using: &rng)
        // The parameters of `make_gpt` in shared/bench/torch_ref.py (vocab 256, ctx 128, d 128, 4 heads, 2 layers).
        var expected: [(String, [Int])] = [("tok.weight", [256, 128]), ("pos.weight", [128, 128])]
        for i in 0..<2 {
            expected += [
                ("blocks.\(i).ln1.weight", [128]), ("blocks.\(i).ln1.bias", [128]),
                ("blocks.\(i).attn.qkv.weight", [384, 128]), ("blocks.\(i).attn.qkv.bias", [384]),
                ("blocks.\(i).attn.out.weight", [128, 128]), ("blocks.\(i).attn.out.bias", [128]),
                ("blocks.\(i).ln2.weight", [128]), ("blocks.\(i).ln2.bias", [128]),
                ("blocks.\(i).fc.weight", [512, 128]), ("blocks.\(i).fc.bias", [512]),
                ("blocks.\(i).proj.weight", [128, 512]), ("blocks.\(i).proj.bias", [128]),
            ]
        }
        expected += [("ln_f.weight", [128]), ("ln_f.bias", [128])]
        let actual = model.namedParameters().map { ($0.name, $0.parameter.shape) }
        #expect(actual.map(\.0) == expected.map(\.0))
        #expect(actual.map(\.1) == expected.map(\.1))
        #expect(model.parameterCount == 445_952)
        let gpt = try #require(model as? GPT)
        #expect(gpt.projections.allSatisfy { $0.quantization == nil })
        #expect(model(Tensor.zeros([2, 128])).shape == [2, 128, 256])
    }

    @Test func int4GPTQuantisesTheBlockProjectionsOnly() throws {
        var config = GPTPlugin.Config()
        (config.layers, config.dModel, config.heads, config.context, config.groupSize) = (2, 32, 2, 8, 16)
        let task = TaskInfo(exampleShape: [9], classCount: 256)
        var rng = RandomGenerator(seed: 4)
        let full = try GPTPlugin.makeModel(config, task: task, using: &rng)
        config.precision = .int4
        rng = RandomGenerator(seed: 4)
        let int4 = try GPTPlugin.makeModel(config, task: task, using: &rng)
        let gpt = try #require(int4 as? GPT)
        #expect(gpt.projections.count == 8)
        #expect(gpt.projections.allSatisfy { $0.quantization == SimulatedPrecision.int4.quantization(groupSize: 16) })
        let quantised = int4.namedModules().compactMap { $0.module as? Linear }.filter { $0.quantization != nil }
        #expect(quantised.count == 8, "embeddings, norms and the tied head stay float32")

        var data = RandomGenerator(seed: 2)
        let ids = Tensor.integers([3, 8], low: 0, high: 256, using: &data)
        let targets = Tensor.integers([3, 8], low: 0, high: 256, using: &data)
        let a = full(ids).scalars, b = int4(ids).scalars
        #expect(a != b && b.allSatisfy(\.isFinite))
        int4(ids).reshaped([-1, 256]).crossEntropy(targets: targets.reshaped([-1])).backward()
        #expect(int4.trainableParameters().allSatisfy { $0.parameter.grad != nil }, "straight-through everywhere")
    }

    @Test func gptRejectsDataItCannotModel() throws {
        var rng = RandomGenerator(seed: 1)
        var config = GPTPlugin.Config()
        config.context = 64
        #expect(
            throws: ConfigurationMismatch(
                key: "context",
                message: "64 is shorter than the data's windows of 128 bytes; set it to at least the data's context")
        ) { try GPTPlugin.makeModel(config, task: TaskInfo(exampleShape: [129], classCount: 256), using: &rng) }
        #expect(throws: ConfigurationMismatch.self) {
            try GPTPlugin.makeModel(config, task: TaskInfo(exampleShape: [2], classCount: 3), using: &rng)
        }
    }

    @Test func specsPairTheLanguageModelPluginsWithTextOnly() async throws {
        let dir = TemporaryDirectory()
        let (labeled, _) = await RunHarness.run(
            """
            data: {dataset: data.spirals}
            model: {plugin: model.mlp}
            optimizer: {plugin: optim.adam}
            train: {method: train.next-token, steps: 5}
            """, name: "labeled", in: dir)
        #expect(
            labeled.message.contains(
                "train.method: 'train.next-token' trains on text data, but 'data.spirals' gives labeled data"),
            "\(labeled.message)")
        let (mlp, _) = await RunHarness.run(
            """
            data: {dataset: data.text, source: builtin}
            model: {plugin: model.mlp}
            optimizer: {plugin: optim.adam}
            train: {method: train.next-token, steps: 5}
            """, name: "mlp", in: dir)
        #expect(
            mlp.message.contains(
                "model.plugin: 'model.mlp' does not read text, but 'data.text' gives text; language models read it "
                    + "(model.gpt)"), "\(mlp.message)")
        let (gpt, _) = await RunHarness.run(
            """
            data: {dataset: data.spirals}
            model: {plugin: model.gpt}
            optimizer: {plugin: optim.adam}
            train: {method: train.supervised, steps: 5}
            """, name: "gpt", in: dir)
        #expect(
            gpt.message.contains(
                "model.plugin: 'model.gpt' is a byte-level language model, but 'data.spirals' gives labeled examples, "
                    + "not text"), "\(gpt.message)")
        let (group, _) = await RunHarness.run(
            """
            data: {dataset: data.text, source: builtin}
            model: {plugin: model.gpt, d_model: 96, heads: 4, precision: int4, group_size: 64}
            optimizer: {plugin: optim.adam}
            train: {method: train.next-token, steps: 5}
            """, name: "group", in: dir)
        #expect(group.exitCode == KilnExitCode.invalidSpec)
        #expect(group.message.contains("group_size") && group.message.contains("must divide d_model (96)"))
    }

    /// Through the real run driver: a tiny transformer on the built-in prose, evaluated on its held-out end.
    @Test func aTinyGPTTrainedOnTheBuiltinCorpusBeatsUniform() async throws {
        let dir = TemporaryDirectory()
        let (report, folder) = await RunHarness.run(
            """
            seed: 3
            data: {dataset: data.text, source: builtin, context: 16, stride: 2}
            model: {plugin: model.gpt, layers: 1, d_model: 16, heads: 2, context: 16}
            optimizer: {plugin: optim.adam, lr: 0.01}
            train: {method: train.next-token, steps: 200, batch: 8}
            eval: {every: 0, evaluators: [eval.perplexity]}
            """, name: "tiny-gpt", in: dir)
        #expect(report.state == .succeeded, "\(report.message)")
        let metrics = RunHarness.finalMetrics(folder)
        let perplexity = try #require(metrics["test.perplexity"], "\(metrics)")
        // Uniform is 256; English bytes' unigram frequencies alone give about 20 (this run: 15.5).
        #expect(perplexity < 20, "held-out perplexity \(perplexity)")
        #expect(metrics["train.grad_norm"].map { $0 > 0 && $0.isFinite } == true)
        #expect(metrics["train.accuracy"].map { $0 > 0.2 } == true, "next-byte accuracy of the last batch: \(metrics)")
    }
}

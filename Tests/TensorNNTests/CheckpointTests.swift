import Experiment
import Foundation
import TensorEngine
import TensorNN
import Testing

/// Minibatch training whose batches come from an explicit generator, so the generator is part of the state.
private struct Run {
    let model: MLP
    let optimizer: AdamW
    let inputs: Tensor
    let labels: Tensor

    init(initSeed: UInt64) {
        var rng = RandomGenerator(seed: initSeed)
        model = MLP(inputs: 2, hidden: [16], outputs: 3, rng: &rng)
        optimizer = AdamW(
            groups: ParameterGroup.splitForWeightDecay(model.namedParameters(), weightDecay: 0.05), lr: 0.02)
        optimizer.schedule = CosineSchedule(totalSteps: 12, warmupSteps: 2, minMultiplier: 0.1)
        var data = RandomGenerator(seed: 500)
        let blobs = GaussianBlobs(classes: 3, trainPerClass: 22, testPerClass: 0).make(using: &data).train
        (inputs, labels) = (blobs.inputs.slice(axis: 0, 0..<64), blobs.labels.slice(axis: 0, 0..<64))
    }

    func train(steps: Int, batch: Int = 16, rng: inout RandomGenerator) {
        let x = inputs.scalars
        let y = labels.scalars
        for _ in 0..<steps {
            let rows = rng.permutation(64).prefix(batch)
            let bx = Tensor([batch, 2], rows.flatMap { [x[2 * $0], x[2 * $0 + 1]] })
            let by = Tensor([batch], rows.map { y[$0] })
            optimizer.zeroGrad()
            model(bx).crossEntropy(targets: by).backward()
            optimizer.step()
        }
    }
}

@Suite struct CheckpointTests {
    @Test func checkpointRoundTripIsBitExact() throws {
        let run = Run(initSeed: 1)
        var rng = RandomGenerator(seed: 9)
        run.train(steps: 3, rng: &rng)
        var checkpoint = Checkpoint(
            step: 3, pluginID: "model.mlp", model: run.model, optimizer: run.optimizer,
            metadata: ["loop.epoch": "0", "loop.batch": "3"])
        checkpoint.setMetadata(rng, forKey: "rng")
        let url = temporaryDirectory().appendingPathComponent("c.safetensors")
        try checkpoint.write(to: url)

        let back = try Checkpoint.read(from: url)
        #expect(back.step == 3 && back.pluginID == "model.mlp")
        #expect(back.metadata["loop.batch"] == "3" && back.metadata["loop.epoch"] == "0")
        #expect(try back.metadata(RandomGenerator.self, forKey: "rng") == rng)
        #expect(back.parameters.mapValues(bits) == run.model.parameterValues().mapValues(bits))
        let state = try #require(back.optimizerState)
        let original = run.optimizer.exportState()
        #expect(state.stepCount == 3 && state.slotNames == original.slotNames)
        #expect(state.parameterSteps == original.parameterSteps)
        #expect(state.slots.mapValues(bits) == original.slots.mapValues(bits))
        #expect(Set(back.metadata.keys) == ["loop.epoch", "loop.batch", "rng"], "kiln.* keys are not caller metadata")

        // The same file holds plain parameter names a PyTorch state dict would use.
        let (tensors, header) = try SafeTensors.read(from: url)
        #expect(tensors["layers.0.weight"] != nil && tensors["layers.0.weight.exp_avg_sq"] != nil)
        #expect(
            header["kiln.format_version"] == "1" && header["kiln.step"] == "3" && header["kiln.plugin"] == "model.mlp")
    }

    @Test func resumedTrainingMatchesUninterruptedTrainingBitForBit() throws {
        let straight = Run(initSeed: 1)
        var rngA = RandomGenerator(seed: 9)
        straight.train(steps: 12, rng: &rngA)

        let store = CheckpointStore(runDirectory: temporaryDirectory(), keepLast: 2)
        do {
            let first = Run(initSeed: 1)
            var rng = RandomGenerator(seed: 9)
            first.train(steps: 5, rng: &rng)
            var checkpoint = Checkpoint(step: 5, pluginID: "model.mlp", model: first.model, optimizer: first.optimizer)
            checkpoint.setMetadata(rng, forKey: "rng")
            try store.save(checkpoint)
        }
        // A new process: different initial weights, fresh optimizer, everything from the checkpoint.
        let resumed = Run(initSeed: 2)
        let checkpoint = try #require(try store.loadLatest())
        try checkpoint.restore(into: resumed.model, optimizer: resumed.optimizer)
        var rng = try checkpoint.metadata(RandomGenerator.self, forKey: "rng")
        #expect(resumed.optimizer.stepCount == 5)
        resumed.train(steps: 7, rng: &rng)

        #expect(resumed.model.parameterValues().mapValues(bits) == straight.model.parameterValues().mapValues(bits))
        #expect(rng == rngA)
    }

    @Test func storeKeepsTheLastNAndPointsAtTheNewest() throws {
        let run = Run(initSeed: 3)
        let store = CheckpointStore(runDirectory: temporaryDirectory(), keepLast: 3)
        #expect(try store.loadLatest() == nil)
        for step in stride(from: 100, through: 600, by: 100) {
            try store.save(Checkpoint(step: step, pluginID: "model.mlp", model: run.model))
        }
        #expect(try store.steps() == [400, 500, 600])
        let files = try FileManager.default.contentsOfDirectory(atPath: store.directory.path).sorted()
        #expect(files == ["latest", "step-000400.safetensors", "step-000500.safetensors", "step-000600.safetensors"])
        let pointer = try String(contentsOf: store.latestPointer, encoding: .utf8)
        #expect(pointer == "step-000600.safetensors\n")
        #expect(try store.loadLatest()?.step == 600)
        #expect(store.url(forStep: 1_234_567).lastPathComponent == "step-1234567.safetensors")

        try "step-000100.safetensors\n".write(to: store.latestPointer, atomically: true, encoding: .utf8)
        #expect(
            throws: CheckpointError.invalidLatestPointer(
                path: store.latestPointer.path, content: "step-000100.safetensors")
        ) {
            try store.loadLatest()
        }
        try FileManager.default.removeItem(at: store.latestPointer)
        #expect(try store.loadLatest()?.step == 600, "without a pointer the highest step is used")
    }

    @Test func unknownFormatVersionsAndBadMetadataAreRejected() throws {
        let dir = temporaryDirectory()
        let weights = ["w": Tensor([2], [1, 2])]
        let future = dir.appendingPathComponent("future.safetensors")
        try SafeTensors.write(weights, metadata: ["kiln.format_version": "2", "kiln.step": "1"], to: future)
        #expect(throws: CheckpointError.unsupportedFormatVersion(path: future.path, found: "2", supported: 1)) {
            try Checkpoint.read(from: future)
        }
        let plain = dir.appendingPathComponent("plain.safetensors")
        try SafeTensors.write(weights, to: plain)
        #expect(throws: CheckpointError.unsupportedFormatVersion(path: plain.path, found: "none", supported: 1)) {
            try Checkpoint.read(from: plain)
        }
        let noStep = dir.appendingPathComponent("nostep.safetensors")
        try SafeTensors.write(weights, metadata: ["kiln.format_version": "1"], to: noStep)
        #expect(throws: CheckpointError.self) { try Checkpoint.read(from: noStep) }

        let reserved = Checkpoint(step: 1, pluginID: "x", parameters: weights, metadata: ["kiln.step": "9"])
        #expect(throws: CheckpointError.self) { try reserved.write(to: dir.appendingPathComponent("r.safetensors")) }
        let message = CheckpointError.unsupportedFormatVersion(path: "/a/b.safetensors", found: "2", supported: 1)
            .description
        #expect(message.contains("/a/b.safetensors") && message.contains("version 2"))
    }

    @Test func restoreIntoTheWrongModelFailsClearly() throws {
        let run = Run(initSeed: 4)
        let url = temporaryDirectory().appendingPathComponent("c.safetensors")
        try Checkpoint(step: 0, pluginID: "model.mlp", model: run.model).write(to: url)
        var rng = RandomGenerator(seed: 1)
        let other = MLP(inputs: 2, hidden: [8], outputs: 3, rng: &rng)
        do {
            try Checkpoint.read(from: url).restore(into: other)
            Issue.record("a checkpoint of another shape was restored")
        } catch {
            guard case .incompatible(let path, let reason) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(path == url.path && reason.contains("layers.0.weight"))
        }
        #expect(throws: CheckpointError.self) {
            try Checkpoint.read(from: url).restore(into: run.model, optimizer: run.optimizer)
        }
    }
}

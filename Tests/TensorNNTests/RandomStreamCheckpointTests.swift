import TensorEngine
import TensorNN
import Testing

/// A checkpoint carries the model's own random streams (dropout masks), so resuming from it continues the same
/// mask sequence an uninterrupted run draws.
@Suite struct RandomStreamCheckpointTests {
    /// Linear → dropout → linear, with the dropout stream seeded apart from the weights.
    final class Net: Layer {
        var isTraining = true
        let fc1: Linear, drop: Dropout, fc2: Linear
        init(weightSeed: UInt64, dropoutSeed: UInt64) {
            var rng = RandomGenerator(seed: weightSeed)
            fc1 = Linear(inputs: 4, outputs: 16, rng: &rng)
            drop = Dropout(probability: 0.5, rng: RandomGenerator(seed: dropoutSeed))
            fc2 = Linear(inputs: 16, outputs: 3, rng: &rng)
        }
        func forward(_ x: Tensor) -> Tensor { fc2(drop(fc1(x).relu())) }
    }

    static func train(_ net: Net, _ optimizer: Adam, steps: Int) {
        var data = RandomGenerator(seed: 9)
        let x = Tensor.normal([8, 4], using: &data)
        let y = Tensor([8], [0, 1, 2, 0, 1, 2, 0, 1])
        for _ in 0..<steps {
            optimizer.zeroGrad()
            net(x).crossEntropy(targets: y).backward()
            optimizer.step()
        }
    }

    /// Resumes `checkpoint` into a model whose dropout stream was seeded differently and trains 5 more steps.
    static func resumed(from checkpoint: Checkpoint) throws -> [String: Tensor] {
        let net = Net(weightSeed: 1, dropoutSeed: 999)
        let optimizer = Adam(net.namedParameters(), lr: 0.05)
        try checkpoint.restore(into: net, optimizer: optimizer)
        train(net, optimizer, steps: 5)
        return net.parameterValues()
    }

    @Test func resumingDrawsTheSameDropoutMasksAsAnUninterruptedRun() throws {
        let net = Net(weightSeed: 1, dropoutSeed: 2)
        let optimizer = Adam(net.namedParameters(), lr: 0.05)
        Self.train(net, optimizer, steps: 5)
        let checkpoint = Checkpoint(step: 5, pluginID: "test", model: net, optimizer: optimizer)
        #expect(checkpoint.metadata[Checkpoint.randomStreamsKey]?.contains("\"drop\"") == true)
        Self.train(net, optimizer, steps: 5)
        let uninterrupted = net.parameterValues()

        let resumed = try Self.resumed(from: checkpoint)
        for (name, value) in uninterrupted { #expect(resumed[name]?.scalars == value.scalars, "\(name)") }

        // Without the saved stream the resumed run draws other masks and ends elsewhere.
        var withoutStreams = checkpoint
        withoutStreams.metadata[Checkpoint.randomStreamsKey] = nil
        let diverged = try Self.resumed(from: withoutStreams)
        #expect(uninterrupted.contains { diverged[$0.key]?.scalars != $0.value.scalars })
    }

    @Test func aDamagedStreamEntryIsRefusedNamingItsKey() throws {
        let net = Net(weightSeed: 1, dropoutSeed: 2)
        var checkpoint = Checkpoint(step: 0, pluginID: "test", model: net)
        checkpoint.metadata[Checkpoint.randomStreamsKey] = "{\"drop\": 7}"
        #expect {
            try checkpoint.restore(into: Net(weightSeed: 1, dropoutSeed: 3))
        } throws: { error in
            guard case .invalidMetadata(_, let key, _) = error as? CheckpointError else { return false }
            return key == Checkpoint.randomStreamsKey && "\(error)".contains(Checkpoint.randomStreamsKey)
        }
    }
}

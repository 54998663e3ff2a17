import ArgumentParser
import Experiment
import Foundation
import TensorEngine
import TensorNN

/// `kiln demo`: the embedded default job — an MLP learns generated two-spiral data, with progress, loss and
/// accuracy printed as it trains.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Train the built-in example: an MLP on generated two-spiral data.")

    @Option(help: "Optimizer steps.") var steps = 1500
    @Option(help: "Examples per step.") var batch = 128
    @Option(help: "Seed for data, initialisation and batch order.") var seed: UInt64 = 7
    @Option(help: "Threads for Kiln's kernels.") var threads = 2

    func validate() throws {
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1") }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
    }

    func run() throws {
        Engine.threads = threads
        var rng = RandomGenerator(seed: seed)
        let data = Spirals(pointsPerClass: 1500, testPointsPerClass: 500, noise: 0.03).make(using: &rng)
        let (train, test) = (data.train, data.test)
        let model = MLP(inputs: 2, hidden: [128, 128], outputs: 2, activation: .relu, rng: &rng)
        let optimizer = AdamW(
            groups: ParameterGroup.splitForWeightDecay(model.namedParameters(), weightDecay: 1e-4), lr: 3e-3)
        optimizer.schedule = CosineSchedule(totalSteps: steps, warmupSteps: steps / 20, minMultiplier: 0.05)
        print("kiln demo: MLP 2→128→128→2 (\(model.parameterCount) parameters) on two spirals, "
              + "3000 train / 1000 test, AdamW lr 3e-3 cosine, \(steps) steps of \(batch), \(threads) threads")

        var order = rng.permutation(3000)
        var cursor = 0
        let start = Date()
        for step in 1...steps {
            if cursor + batch > order.count {
                order = rng.permutation(3000)
                cursor = 0
            }
            let picked = Array(order[cursor..<(cursor + batch)])
            cursor += batch
            let x = train.inputs.rows(picked), y = train.labels.rows(picked)
            optimizer.zeroGrad()
            let loss = model(x).crossEntropy(targets: y)
            loss.backward()
            optimizer.step()
            if step % 100 == 0 || step == steps {
                let elapsed = Date().timeIntervalSince(start)
                print(String(format: "step %5d/%d  loss %.4f  train acc %.3f  test acc %.3f  %.0f steps/s",
                             step, steps, loss.item, accuracy(model, train), accuracy(model, test),
                             Double(step) / elapsed))
            }
        }
        let final = accuracy(model, test)
        print(String(format: "done: test accuracy %.1f%%", final * 100))
    }

    private func accuracy(_ model: MLP, _ data: DataSplit) -> Double {
        withoutGradients {
            model.eval()
            defer { model.train() }
            let predicted = model(data.inputs).argmax(axis: 1)
            return Double(predicted.equal(data.labels).sum().item) / Double(data.labels.count)
        }
    }
}

import Foundation
import TensorEngine
import Testing

/// The golden values of tools/fixtures/make_nn_fixtures.py. `RECORD_FIXTURES=1` re-runs the script first
/// (and reads the fresh file from the source tree).
struct NNFixtures: Decodable {
    struct TensorValue: Decodable {
        let shape: [Int]
        let values: [Float]
        var tensor: Tensor { Tensor(shape, values) }
    }

    struct MLPCase: Decodable {
        let name: String
        let activation: String
        let inputs: Int
        let hidden: [Int]
        let outputs: Int
        let x: TensorValue
        let targets: [Int]
        let parameters: [String: TensorValue]
        let logits: TensorValue
        let loss: Float
        let grads: [String: TensorValue]
    }

    struct Problem: Decodable {
        let initial: [String: TensorValue]
        let curvature: [String: TensorValue]
        let noise: [String: [[Float]]]
    }

    struct Group: Decodable {
        let params: [String]
        let lr: Double?
        let weightDecay: Double?
        enum CodingKeys: String, CodingKey {
            case params, lr
            case weightDecay = "weight_decay"
        }
    }

    struct Schedule: Decodable {
        let total: Int
        let warmup: Int
        let min: Double
    }

    struct OptimizerCase: Decodable {
        let name: String
        let kind: String
        let lr: Double
        let momentum: Double
        let dampening: Double
        let nesterov: Bool
        let weightDecay: Double
        let groups: [Group]?
        let schedule: Schedule?
        let trajectory: [[String: [Float]]]
        let state: [String: [String: StateValue]]
        enum CodingKeys: String, CodingKey {
            case name, kind, lr, momentum, dampening, nesterov, groups, schedule, trajectory, state
            case weightDecay = "weight_decay"
        }
    }

    /// A state entry: `step` is an integer, slots are float lists.
    enum StateValue: Decodable {
        case step(Int)
        case values([Float])
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let n = try? c.decode(Int.self) { self = .step(n) } else { self = .values(try c.decode([Float].self)) }
        }
    }

    let torchVersion: String
    let mlp: [MLPCase]
    let optimizerProblem: Problem
    let optimizers: [OptimizerCase]
    enum CodingKeys: String, CodingKey {
        case mlp, optimizers
        case torchVersion = "torch_version"
        case optimizerProblem = "optimizer_problem"
    }

    static let fileName = "nn_fixtures.json"

    static func load(sourceLocation: SourceLocation = #_sourceLocation) throws -> NNFixtures {
        var url = Bundle.module.url(forResource: "nn_fixtures", withExtension: "json", subdirectory: "Fixtures")
        if ProcessInfo.processInfo.environment["RECORD_FIXTURES"] == "1" {
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments = [root.appendingPathComponent("tools/fixtures/make_nn_fixtures.py").path]
            try process.run()
            process.waitUntilExit()
            url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("Fixtures/\(fileName)")
        }
        guard let url, let data = FileManager.default.contents(atPath: url.path) else {
            Issue.record(
                "fixture \(fileName) is missing: run /usr/bin/python3 tools/fixtures/make_nn_fixtures.py",
                sourceLocation: sourceLocation)
            throw CancellationError()
        }
        return try JSONDecoder().decode(NNFixtures.self, from: data)
    }
}

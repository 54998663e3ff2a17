import Foundation
import TensorEngine
import Testing

/// The golden values of tools/fixtures/make_graph_gpt_fixtures.py (PyTorch 1.13). `RECORD_FIXTURES=1` re-runs the
/// script first and reads the fresh file from the source tree.
struct ModelFixtures: Decodable {
    struct Value: Decodable {
        let shape: [Int]
        let data: [Float]
        var tensor: Tensor { Tensor(shape, data) }
    }

    struct SpMMCase: Decodable {
        let rows: Int, cols: Int
        let rowIndices: [Int], colIndices: [Int]
        let inputs: [String: Value]
        let output: Value, upstream: Value
        let grads: [String: Value]
        enum CodingKeys: String, CodingKey {
            case rows, cols, inputs, output, upstream, grads
            case rowIndices = "row_indices", colIndices = "col_indices"
        }
    }

    struct Adjacency: Decodable {
        let rows: [Int], cols: [Int]
        let values: Value
    }

    struct GCNCase: Decodable {
        let nodes: Int
        let sources: [Int], destinations: [Int]
        let adjacency: Adjacency
        let inputs: [String: Value]
        let labels: [Int]
        let sizes: [Int]
        let parameters: [String: Value]
        let output: Value
        let loss: Float
        let grads: [String: Value]
    }

    struct BlockCase: Decodable {
        let width: Int, heads: Int
        let inputs: [String: Value]
        let parameters: [String: Value]
        let output: Value, upstream: Value
        let grads: [String: Value]
    }

    struct GPTCase: Decodable {
        struct Config: Decodable { let vocabulary, context, width, heads, layers: Int }
        let config: Config
        let ids: [[Int]], targets: [[Int]]
        let parameters: [String: Value]
        let output: Value
        let loss: Float
        let grads: [String: Value]
    }

    struct Cases: Decodable {
        let spmm: SpMMCase
        let gcn: GCNCase
        let block: BlockCase
        let gpt: GPTCase
    }

    let meta: [String: String]
    let cases: Cases

    static let fileName = "graph_gpt_fixtures.json"

    /// Loaded once; a missing or unreadable file is recorded as an issue by the test that asks.
    static let shared: Result<ModelFixtures, any Error> = Result { try load() }

    private static func load() throws -> ModelFixtures {
        var url = Bundle.module.url(forResource: "graph_gpt_fixtures", withExtension: "json", subdirectory: "Fixtures")
        if ProcessInfo.processInfo.environment["RECORD_FIXTURES"] == "1" {
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments = [root.appendingPathComponent("tools/fixtures/make_graph_gpt_fixtures.py").path]
            try process.run()
            process.waitUntilExit()
            url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(fileName)")
        }
        guard let url, let data = FileManager.default.contents(atPath: url.path) else {
            throw FixtureMissing()
        }
        return try JSONDecoder().decode(ModelFixtures.self, from: data)
    }

    /// The fixtures, or an issue naming the generator when they cannot be read.
    static func require(sourceLocation: SourceLocation = #_sourceLocation) throws -> ModelFixtures {
        switch shared {
        case .success(let f): return f
        case .failure(let error):
            let fix = "run /usr/bin/python3 tools/fixtures/make_graph_gpt_fixtures.py"
            Issue.record("fixture \(fileName) is missing or unreadable (\(error)): \(fix)", sourceLocation: sourceLocation)
            throw error
        }
    }
}

struct FixtureMissing: Error {}

import Foundation
import TensorEngine
import TestSupport
import Testing

/// The golden values of tools/fixtures/make_vision_fixtures.py. `RECORD_FIXTURES=1` re-runs the script first (and
/// reads the fresh file from the source tree).
struct VisionFixtures: Decodable {
    /// A tensor stored in full.
    struct Full: Decodable {
        let shape: [Int]
        let data: [Float]
        var tensor: Tensor { Tensor(shape, data) }
    }

    /// A gradient: in full when small, else every `stride`-th element, with its L2 norm and sum.
    struct Summary: Decodable {
        let shape: [Int]
        let l2: Double
        let sum: Double
        let data: [Float]?
        let stride: Int?
        let samples: [Float]?
    }

    /// Seed and scale of a hashed parameter.
    struct Seed: Decodable {
        let seed: Int
        let scale: Double
    }

    struct CNNCase: Decodable {
        let batch: Int
        let inputSeed: Int
        let labelSeed: Int
        let parameterSeeds: [String: Seed]
        let bnWeightOffset: Float
        let labels: [Int]
        let logits: Full
        let loss: Float
        let evalLogits: Full
        let grads: [String: Summary]
        let buffers: [String: Full]
        enum CodingKeys: String, CodingKey {
            case batch, labels, logits, loss, grads, buffers
            case inputSeed = "input_seed", labelSeed = "label_seed", parameterSeeds = "parameter_seeds"
            case bnWeightOffset = "bn_weight_offset", evalLogits = "eval_logits"
        }
    }

    struct BlockCase: Decodable {
        let kernel: [Int]
        let norm: String
        let channels: Int
        let inputSeed: Int
        let upstreamSeed: Int
        let parameterSeeds: [String: Seed]
        let onePlus: [String]
        let output: Full
        let grads: [String: Full]
        enum CodingKeys: String, CodingKey {
            case kernel, norm, channels, output, grads
            case inputSeed = "input_seed", upstreamSeed = "upstream_seed", parameterSeeds = "parameter_seeds"
            case onePlus = "one_plus"
        }
    }

    let cnn: CNNCase
    let lkBlocks: [BlockCase]
    enum CodingKeys: String, CodingKey {
        case cnn
        case lkBlocks = "lk_blocks"
    }

    static let fileName = "vision_fixtures.json"

    static func load(sourceLocation: SourceLocation = #_sourceLocation) throws -> VisionFixtures {
        var url = Bundle.module.url(forResource: "vision_fixtures", withExtension: "json", subdirectory: "Fixtures")
        if ProcessInfo.processInfo.environment["RECORD_FIXTURES"] == "1" {
            let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            let root = here.deletingLastPathComponent().deletingLastPathComponent()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments = [root.appendingPathComponent("tools/fixtures/make_vision_fixtures.py").path]
            try process.run()
            process.waitUntilExit()
            url = here.appendingPathComponent("Fixtures/\(fileName)")
        }
        guard let url, let data = FileManager.default.contents(atPath: url.path) else {
            Issue.record("fixture \(fileName) is missing: run /usr/bin/python3 tools/fixtures/make_vision_fixtures.py",
                         sourceLocation: sourceLocation)
            throw CancellationError()
        }
        return try JSONDecoder().decode(VisionFixtures.self, from: data)
    }
}

/// The integer-hash values of make_vision_fixtures.py, bit for bit: U(−scale, scale) on a 2⁻²⁴ grid.
enum Hashed {
    static func uniform(_ n: Int, seed: Int) -> [Float] {
        let offset = UInt64(seed * 40503 + 12345)
        return (0..<n).map { i in
            var h = UInt32(truncatingIfNeeded: UInt64(i) &* 2_654_435_761 &+ offset)
            h ^= h >> 15
            h = h &* 2_246_822_519
            h ^= h >> 13
            return Float(h >> 8) * Float(1.0 / 16_777_216.0) - 0.5
        }
    }

    static func tensor(_ shape: [Int], seed: Int, scale: Double) -> Tensor {
        let s = Float(2 * scale)
        return Tensor(shape, uniform(shape.reduce(1, *), seed: seed).map { $0 * s })
    }

    static func labels(_ n: Int, seed: Int, classes: Int) -> Tensor {
        Tensor([n], uniform(n, seed: seed).map { Float(Int(($0 + 0.5) * Float(classes)) % classes) })
    }
}

/// Checks a gradient against a stored summary: every stored element, the L2 norm and the sum.
func expectMatches(
    _ g: Tensor, _ s: VisionFixtures.Summary, tolerance: Float, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(g.shape == s.shape, "\(what): shape \(g.shape) vs \(s.shape)", sourceLocation: sourceLocation)
    let v = g.scalars
    if let data = s.data {
        expectClose(v, data, tolerance: tolerance, what, sourceLocation: sourceLocation)
    } else if let stride = s.stride, let samples = s.samples {
        let mine = samples.indices.map { v[$0 * stride] }
        expectClose(mine, samples, tolerance: tolerance, what, sourceLocation: sourceLocation)
    }
    let l2 = v.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
    #expect(Swift.abs(l2 - s.l2) <= Double(tolerance) * (1 + s.l2), "\(what): L2 \(l2) vs \(s.l2)",
            sourceLocation: sourceLocation)
    let sum = v.reduce(0.0) { $0 + Double($1) }
    // Rounding in a sum grows like √n.
    let sumTolerance = Double(tolerance) * (1 + s.l2) * Double(v.count).squareRoot()
    #expect(Swift.abs(sum - s.sum) <= sumTolerance, "\(what): sum \(sum) vs \(s.sum)",
            sourceLocation: sourceLocation)
}

import Foundation
import TensorEngine
import TensorNN

/// A linear classifier `logits = x·W + b` with fixed weights, `[B, F]` → `[B, K]`.
final class LinearProbe: Layer {
    var isTraining = true
    let weight: Parameter
    let bias: Parameter

    /// `weight` `[F, K]` row-major, `bias` `[K]`.
    init(features: Int, classes: Int, weight: [Float], bias: [Float]) {
        self.weight = Parameter(Tensor([features, classes], weight))
        self.bias = Parameter(Tensor([classes], bias))
    }

    func forward(_ x: Tensor) -> Tensor { x.matmul(weight.value) + bias.value }
}

/// Records the inputs it sees and returns zero logits for `classes` classes (plus a term that keeps the graph).
final class InputRecorder: Layer {
    var isTraining = true
    let scale = Parameter(Tensor([1], [0]))
    let classes: Int
    private(set) var seen: [Tensor] = []

    init(classes: Int) { self.classes = classes }

    func forward(_ x: Tensor) -> Tensor {
        seen.append(x.detached())
        let n = x.shape[0]
        return Tensor.zeros([n, classes]) + scale.value * x.flattened(from: 1).sum(axes: [1], keepingDims: true)
    }
}

/// `Tests/RobustnessTests/Fixtures/certify.json`, written by tools/fixtures/make_certify_fixtures.py.
struct CertifyFixture: Decodable {
    struct Bound: Decodable {
        let k: Int
        let n: Int
        let alpha: Double
        let lower: Double
        let radius: [String: Double?]
    }
    struct PValue: Decodable {
        let top: Int
        let runnerUp: Int
        let pvalue: Double
        enum CodingKeys: String, CodingKey {
            case top, pvalue
            case runnerUp = "runner_up"
        }
    }
    struct Quantile: Decodable {
        let p: Double
        let x: Double
    }
    let clopperPearson: [Bound]
    let binomialTest: [PValue]
    let normalQuantile: [Quantile]
    enum CodingKeys: String, CodingKey {
        case clopperPearson = "clopper_pearson"
        case binomialTest = "binomial_test"
        case normalQuantile = "normal_quantile"
    }

    static func load() throws -> CertifyFixture {
        guard let url = Bundle.module.url(forResource: "certify", withExtension: "json", subdirectory: "Fixtures")
        else { throw MissingFixture(name: "Fixtures/certify.json (run tools/fixtures/make_certify_fixtures.py)") }
        return try JSONDecoder().decode(CertifyFixture.self, from: Data(contentsOf: url))
    }
}

/// A fixture file the test bundle lacks.
struct MissingFixture: Error, CustomStringConvertible {
    let name: String
    var description: String { "missing fixture \(name)" }
}

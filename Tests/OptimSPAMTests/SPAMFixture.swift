import Foundation
import TensorEngine
import TensorNN
import Testing

@testable import OptimSPAM

/// A trajectory from tools/fixtures/make_spam_fixtures.py: initial parameters, the gradient of every step (null
/// where a tensor has none), SPAM's masks per window, and the parameters after every step.
struct SPAMFixture: Decodable {
    struct TensorInit: Decodable {
        let name: String
        let shape: [Int]
        let initial: [Float]
        enum CodingKeys: String, CodingKey {
            case name, shape
            case initial = "init"
        }
    }
    let optimizer: String
    let options: [String: Double?]
    let tensors: [TensorInit]
    let grads: [[String: [Float]?]]
    let masks: [String: [[Int]]]?
    let params: [[String: [Double]]]
    let clipped: [Int]

    /// Reads `Fixtures/<name>.json`; `RECORD_FIXTURES=1` re-runs the generator first and reads the fresh file.
    static func load(_ name: String) throws -> SPAMFixture {
        var url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures")
        if ProcessInfo.processInfo.environment["RECORD_FIXTURES"] == "1" {
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..")
            let script = root.appendingPathComponent("tools/fixtures/make_spam_fixtures.py")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments = [script.path]
            try process.run()
            process.waitUntilExit()
            url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("Fixtures/\(name).json")
        }
        guard let url else {
            Issue.record("fixture \(name).json is missing: run /usr/bin/python3 tools/fixtures/make_spam_fixtures.py")
            throw CocoaError(.fileNoSuchFile)
        }
        return try JSONDecoder().decode(SPAMFixture.self, from: Data(contentsOf: url))
    }

    func option(_ key: String) -> Double { (options[key] ?? nil)! }

    var steps: Int { grads.count }

    /// SPAM's options as the fixture sets them.
    var spamOptions: SPAMOptions {
        var o = SPAMOptions()
        o.lr = option("lr")
        o.beta1 = option("beta1")
        o.beta2 = option("beta2")
        o.eps = option("eps")
        o.weightDecay = option("weight_decay")
        o.threshold = option("threshold")
        o.resetInterval = Int(option("reset_interval"))
        o.warmupSteps = Int(option("warmup_steps"))
        o.clipFreeSteps = Int(option("clip_free_steps"))
        o.density = option("density")
        return o
    }

    /// Stable-SPAM's options as the fixture sets them.
    var stableOptions: StableSPAMOptions {
        var o = StableSPAMOptions()
        o.lr = option("lr")
        o.beta1 = option("beta1")
        o.beta2 = option("beta2")
        o.eps = option("eps")
        o.weightDecay = option("weight_decay")
        o.gamma1 = option("gamma1")
        o.gamma2 = option("gamma2")
        o.gamma3 = option("gamma3")
        o.resetInterval = Int(option("reset_interval"))
        o.totalSteps = (options["total_steps"] ?? nil).map { Int($0) }
        o.etaMin = option("eta_min")
        return o
    }

    /// The fixture's masks by tensor and window, for SPAM's test hook.
    var maskSource: (String, Int) -> [Bool] {
        let masks = self.masks ?? [:]
        return { name, window in masks[name]![window].map { $0 != 0 } }
    }
}

/// Fresh parameters from a fixture, fed its gradients step by step.
final class Replay {
    let fixture: SPAMFixture
    let parameters: [NamedParameter]

    init(_ fixture: SPAMFixture) {
        self.fixture = fixture
        parameters = fixture.tensors.map { NamedParameter($0.name, Parameter(Tensor($0.shape, $0.initial))) }
    }

    func makeSPAM(_ options: SPAMOptions? = nil) -> SPAM {
        SPAM(parameters, options: options ?? fixture.spamOptions, maskSource: fixture.maskSource)
    }

    func makeStableSPAM(_ options: StableSPAMOptions? = nil) -> StableSPAM {
        StableSPAM(parameters, options: options ?? fixture.stableOptions)
    }

    /// Sets the gradients of step `i` (0-based): g exactly, through d/dp Σ p·g = g; none where the fixture has null.
    func setGradients(_ i: Int, poison: Bool = false) {
        for p in parameters {
            p.parameter.zeroGrad()
            guard var g = fixture.grads[i][p.name] ?? nil else { continue }
            if poison { g[g.count / 2] = .nan }
            (p.parameter.value * Tensor(p.parameter.shape, g)).sum().backward()
        }
    }

    /// Runs steps `range` and returns the largest |Kiln − reference| relative to max(1, |reference|) over all of
    /// them, with the steps whose clipped counts differ from the reference.
    func run(_ optimizer: any Optimizer, steps range: Range<Int>, clippedCount: (() -> Int)? = nil) -> (
        error: Double, clipMismatches: [Int]
    ) {
        var worst = 0.0
        var mismatches: [Int] = []
        for i in range {
            setGradients(i)
            optimizer.step()
            worst = max(worst, error(after: i))
            if let clippedCount, clippedCount() != fixture.clipped[i] { mismatches.append(i + 1) }
        }
        return (worst, mismatches)
    }

    /// Largest relative deviation of the parameters from the reference after step `i` (0-based).
    func error(after i: Int) -> Double {
        var worst = 0.0
        for p in parameters {
            let expected = fixture.params[i][p.name]!
            for (a, b) in zip(p.parameter.value.scalars, expected) {
                let e = abs(Double(a) - b) / max(1, abs(b))
                worst = max(worst, e.isNaN ? .infinity : e)
            }
        }
        return worst
    }

    /// Parameter bit patterns by path.
    var parameterBits: [String: [UInt32]] {
        Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.parameter.value.scalars.map(\.bitPattern)) })
    }
}

/// Bit patterns of every slot of a state, with its step counts and extra entries, for exact comparisons.
func fingerprint(_ s: OptimizerState) -> String {
    let slots = s.slots.keys.sorted().map { "\($0)=\(s.slots[$0]!.scalars.map(\.bitPattern))" }
    return
        "\(s.stepCount)|\(s.parameterSteps.sorted { $0.key < $1.key })|\(s.extra.sorted { $0.key < $1.key })|\(slots)"
}

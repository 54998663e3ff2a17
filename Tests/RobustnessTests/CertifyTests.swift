import Experiment
import Foundation
import PluginAPI
import TensorEngine
import TensorNN
import Testing

@testable import Robustness

/// CERTIFY on a linear classifier, whose smoothed classifier is known in closed form: with logits (0, w·x + c),
/// P[f(x + e) = 1] = Φ((w·x + c)/(σ‖w‖)), so the exact radius of CERTIFY's bound is the distance |w·x + c|/‖w‖ to
/// the decision boundary.
@Suite struct CertifyTests {
    let sigma = 0.25
    // Class-1 logit minus class-0 logit = 3·x₀ + 4·x₁ − 1: ‖w‖ = 5, boundary 3x₀ + 4x₁ = 1.
    let probe = LinearProbe(features: 2, classes: 2, weight: [0, 3, 0, 4], bias: [0, -1])

    /// A point at signed distance `d` from the boundary (positive on class 1's side).
    func point(atDistance d: Double) -> Tensor {
        let foot = (0.6 * 0.2, 0.8 * 0.2)  // on the boundary: 3·0.12 + 4·0.16 = 1
        return Tensor([2], [Float(foot.0 + 0.6 * d), Float(foot.1 + 0.8 * d)])
    }

    func binomialCDF(_ k: Int, n: Int, p: Double) -> Double {
        // P[X ≤ k] = 1 − I_p(k + 1, n − k).
        if k < 0 { return 0 }
        if k >= n { return 1 }
        return 1 - IncompleteBeta.regularized(x: p, a: Double(k + 1), b: Double(n - k))
    }

    @Test func monteCarloRadiusAgreesWithTheExactRadius() {
        probe.eval()
        let sampler = NoiseSampler(model: probe, classCount: 2, sigma: sigma, batch: 256)
        let (n0, n, alpha) = (100, 4000, 0.001)
        for (i, d) in [0.05, 0.15, 0.3, 0.5, -0.2].enumerated() {
            let pA = StandardNormal.cdf(Swift.abs(d) / sigma)
            var selection = RandomGenerator(seed: 11).derived(UInt64(2 * i))
            var estimation = RandomGenerator(seed: 11).derived(UInt64(2 * i + 1))
            let c = RandomizedSmoothing.certify(
                point(atDistance: d), sampler: sampler, n0: n0, n: n, alpha: alpha, selection: &selection,
                estimation: &estimation)
            #expect(c.prediction == (d > 0 ? 1 : 0), "distance \(d): prediction \(String(describing: c.prediction))")
            // The certificate never exceeds the truth (up to the α failure probability) and falls short of it by no
            // more than the bound's slack at a count five standard deviations below its mean.
            #expect(c.radius <= Swift.abs(d), "distance \(d): certified \(c.radius) beyond the exact radius")
            let lowCount = Int((Double(n) * pA - 5 * (Double(n) * pA * (1 - pA)).squareRoot()).rounded(.down))
            let lowBound = BinomialBounds.clopperPearsonLower(
                successes: Swift.min(lowCount, n), trials: n, alpha: alpha)
            let lowRadius = sigma * StandardNormal.quantile(lowBound)
            #expect(c.radius >= lowRadius, "distance \(d): certified \(c.radius), expected at least \(lowRadius)")
            // Estimated probability agrees with Φ(d/σ) within five standard deviations.
            let sd = (pA * (1 - pA) / Double(n)).squareRoot()
            #expect(Swift.abs(Double(c.topCount) / Double(n) - pA) <= 5 * sd + 1e-9)
        }
    }

    @Test func farFromTheBoundaryTheRadiusIsTheCap() {
        probe.eval()
        let sampler = NoiseSampler(model: probe, classCount: 2, sigma: sigma, batch: 500)
        var selection = RandomGenerator(seed: 1), estimation = RandomGenerator(seed: 2)
        let c = RandomizedSmoothing.certify(
            point(atDistance: 3), sampler: sampler, n0: 50, n: 1000, alpha: 0.001, selection: &selection,
            estimation: &estimation)
        #expect(c.topCount == 1000 && c.prediction == 1)
        #expect(Swift.abs(c.radius - RandomizedSmoothing.radiusCap(sigma: sigma, n: 1000, alpha: 0.001)) < 1e-12)
    }

    @Test func abstainRateIsWhatTheBoundPredicts() throws {
        // A point where the bound crosses ½ near the expected count: CERTIFY abstains on about half the draws.
        let (n0, n, alpha, m) = (100, 500, 0.01, 300)
        var kStar = 0
        while BinomialBounds.clopperPearsonLower(successes: kStar, trials: n, alpha: alpha) < 0.5 { kStar += 1 }
        let pA = Double(kStar) / Double(n)
        let d = sigma * StandardNormal.quantile(pA)
        // Class 1 is selected when it wins the n0 votes outright (ties go to class 0).
        let selectTrue = 1 - binomialCDF(n0 / 2, n: n0, p: pA)
        let abstainIfTrue = binomialCDF(kStar - 1, n: n, p: pA)
        let abstainIfWrong = binomialCDF(kStar - 1, n: n, p: 1 - pA)
        let q = selectTrue * abstainIfTrue + (1 - selectTrue) * abstainIfWrong
        #expect(q > 0.3 && q < 0.8)

        let x = point(atDistance: d)
        let inputs = Tensor.concatenate((0..<m).map { _ in x.reshaped([1, 2]) }, axis: 0)
        let split = DataSplit(inputs: inputs, labels: Tensor.ones([m]))
        var config = CertifyPlugin.Config()
        (config.sigma, config.n0, config.n, config.alpha, config.batch) = (sigma, n0, n, alpha, 600)
        let report = CertifyPlugin.certify(
            config, model: probe, split: split, classCount: 2, rng: RandomGenerator(seed: 5))
        let abstained = Double(report.rows.filter { $0.prediction == nil }.count)
        let expected = q * Double(m), sd = (Double(m) * q * (1 - q)).squareRoot()
        #expect(
            Swift.abs(abstained - expected) <= 4 * sd, "abstained \(abstained) of \(m), expected \(expected) ± \(sd)")
        // A certificate is wrong (class 0, or a radius beyond the exact one) with probability at most α each:
        // about 3 of 300; more than 10 has probability below 10⁻⁴.
        let wrong = report.rows.filter { $0.prediction != nil && ($0.prediction != 1 || $0.radius > d) }.count
        #expect(wrong <= 10, "\(wrong) certificates beyond the truth")
        #expect(Swift.abs(report.abstainRate - abstained / Double(m)) < 1e-12)
    }

    @Test func evaluatorReportsAccuracyAtRadiiPerClassAndWritesItsFiles() throws {
        // Four examples of each class on their own side of the boundary. With n = 2000 the certified radii fall
        // near 0.08, 0.18, 0.37 and 0.54 (each many standard deviations away from 0, 0.25 and 0.5).
        let distances = [0.1, 0.2, 0.4, 0.6]
        var rows: [Tensor] = [], labels: [Float] = []
        for d in distances {
            rows.append(point(atDistance: d).reshaped([1, 2]))
            labels.append(1)
            rows.append(point(atDistance: -d).reshaped([1, 2]))
            labels.append(0)
        }
        let split = DataSplit(inputs: Tensor.concatenate(rows, axis: 0), labels: Tensor([8], labels))
        var config = CertifyPlugin.Config()
        (config.n0, config.n, config.batch, config.radii) = (100, 2000, 1000, [0, 0.25, 0.5])
        let task = TaskInfo(exampleShape: [2], classCount: 2, classNames: ["left", "right"])
        var rng = RandomGenerator(seed: 3)
        let evaluation = try CertifyPlugin.evaluate(config, model: probe, split: split, task: task, rng: &rng)
        let metrics = evaluation.metrics
        // Radius 0 counts every correct certified row; 0.25 only those whose distance exceeds it, and so on.
        #expect(metrics["certified_accuracy_r0"] == 1)
        #expect(metrics["certified_accuracy_r0_25"] == 0.5)
        #expect(metrics["certified_accuracy_r0_5"] == 0.25)
        #expect(metrics["class_certified_accuracy_r0_25.0"] == 0.5)
        #expect(metrics["class_certified_accuracy_r0_25.1"] == 0.5)
        #expect(metrics["worst_class_certified_accuracy_r0_5"] == 0.25)
        #expect(metrics["abstain_rate"] == 0)

        let csv = String(decoding: try #require(evaluation.files["examples.csv"]), as: UTF8.self)
        let lines = csv.split(separator: "\n")
        #expect(lines.first == "index,label,prediction,radius,correct" && lines.count == 9)
        #expect(lines[1].hasPrefix("0,1,"))
        let svg = String(decoding: try #require(evaluation.files["radius.svg"]), as: UTF8.self)
        #expect(svg.hasPrefix("<svg") && svg.contains("worst class") && svg.contains("overall"))

        // The same stream gives the same certificates; another stream gives other counts.
        var again = RandomGenerator(seed: 3), other = RandomGenerator(seed: 4)
        let repeated = try CertifyPlugin.evaluate(config, model: probe, split: split, task: task, rng: &again)
        let different = try CertifyPlugin.evaluate(config, model: probe, split: split, task: task, rng: &other)
        #expect(repeated.files == evaluation.files)
        #expect(different.files["examples.csv"] != evaluation.files["examples.csv"])
    }

    @Test func anExamplesCertificateDoesNotDependOnWhichOthersAreCertified() throws {
        let split = DataSplit(
            inputs: Tensor.concatenate([0.1, -0.15, 0.3].map { point(atDistance: $0).reshaped([1, 2]) }, axis: 0),
            labels: Tensor([3], [1, 0, 1]))
        var config = CertifyPlugin.Config()
        (config.n0, config.n, config.batch) = (50, 500, 128)
        let seed = RandomGenerator(seed: 9)
        let all = CertifyPlugin.certify(config, model: probe, split: split, classCount: 2, rng: seed)
        config.skip = 2
        let some = CertifyPlugin.certify(config, model: probe, split: split, classCount: 2, rng: seed)
        #expect(some.rows.map(\.index) == [0, 2])
        #expect(some.rows == [all.rows[0], all.rows[2]])
    }

    @Test func predictAbstainsOnTheBoundaryAndAnswersFarFromIt() throws {
        let far = point(atDistance: 0.5), on = point(atDistance: 0)
        let split = DataSplit(
            inputs: Tensor.concatenate(Array(repeating: on.reshaped([1, 2]), count: 50) + [far.reshaped([1, 2])],
                                       axis: 0),
            labels: Tensor.ones([51]))
        var config = PredictPlugin.Config()
        (config.n, config.alpha) = (400, 0.01)
        var rng = RandomGenerator(seed: 21)
        let task = TaskInfo(exampleShape: [2], classCount: 2)
        let evaluation = try PredictPlugin.evaluate(config, model: probe, split: split, task: task, rng: &rng)
        // On the boundary each class has probability ½, so PREDICT answers with probability at most α = 0.01:
        // about 0.5 answers in 50 draws (4 or more has probability below 0.2 %). The far point is answered.
        let answered = 51 - (evaluation.metrics["abstain_rate"]! * 51).rounded()
        #expect(answered >= 1 && answered <= 4, "answered \(answered) of 51")
        #expect(evaluation.metrics["accuracy"]! >= 1.0 / 51 - 1e-12)
    }

    @Test func badLabelsAreRejectedWithTheirPosition() {
        let split = DataSplit(inputs: Tensor.zeros([2, 2]), labels: Tensor([2], [0, 7]))
        #expect(throws: RobustnessError.labelOutOfRange(index: 1, label: 7, classCount: 2)) {
            var rng = RandomGenerator(seed: 1)
            _ = try CertifyPlugin.evaluate(
                CertifyPlugin.Config(), model: probe, split: split, task: TaskInfo(exampleShape: [2], classCount: 2),
                rng: &rng)
        }
    }
}

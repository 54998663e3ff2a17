import Experiment
import Foundation
import PluginAPI
import TensorEngine
import TensorNN

/// `eval.certify`: randomized-smoothing certification (CERTIFY) of the test split.
///
/// For each evaluated example: n0 selection samples pick the top class, n fresh samples bound its probability
/// below (Clopper–Pearson, level 1 − α), and the example is certified with radius σ·Φ⁻¹(p̲A) or abstains when
/// p̲A < ½. Metrics: `certified_accuracy_r<r>` and `worst_class_certified_accuracy_r<r>` at each radius of
/// `radii` (0.25 spelled `0_25`), `class_certified_accuracy_r<r>.<c>` per class, `abstain_rate`. Files beside the
/// details: `eval.certify.examples.csv` (index, label, prediction, radius, correct; prediction −1 = abstain) and
/// `eval.certify.radius.svg` (certified accuracy against radius, overall and worst class).
///
/// The noise comes from the run's evaluation stream, with separate selection and estimation streams derived per
/// example index, so a certification is reproducible and an example's result does not depend on which others
/// are certified. The noise is added to the inputs as the model receives them, unclipped: Kiln's image datasets
/// are in [0, 1] and not normalised, so σ and radii are in pixel units as in the reference.
struct CertifyPlugin: RandomizedEvaluatorPlugin, GaussianSamplingPlugin {
    struct Config: PluginConfig {
        var sigma = 0.25
        var n0 = 100
        var n = 100_000
        var alpha = 0.001
        var batch = 1000
        var radii = [0.0, 0.25, 0.5, 0.75, 1.0]
        var skip = 1
        var maxExamples = 0
        var perClass = true
        static let documentation: [String: FieldDoc] = [
            "sigma": FieldDoc(
                "Noise standard deviation σ, in input units ([0, 1] pixels); use the training σ.", range: .positive),
            "n0": FieldDoc("Selection samples per example (the top class is their most frequent).", range: .atLeast(1)),
            "n": FieldDoc(
                "Estimation samples per example; the radius cap σ·Φ⁻¹(α^(1/n)) and the bound's slack depend on it.",
                range: .atLeast(1)),
            "alpha": FieldDoc(
                "Failure probability α of the certificate (one-sided Clopper–Pearson level 1 − α).",
                range: FieldRange.greaterThan(0).below(0.5)),
            "batch": FieldDoc("Noisy copies per forward pass.", range: .atLeast(1)),
            "radii": FieldDoc("L2 radii at which certified accuracy is reported.", range: .nonNegative),
            "skip": FieldDoc(
                "Certify every skip-th test example (the reference certifies every 20th CIFAR-10 image).",
                range: .atLeast(1)),
            "max_examples": FieldDoc("Stop after this many certified examples; 0 certifies all.", range: .nonNegative),
            "per_class": FieldDoc("Log class_certified_accuracy_r<r>.<c> for every class and radius."),
        ]
        func validate(_ v: inout ConfigValidator) {
            v.check(!radii.isEmpty, key: "radii", "must list at least one radius")
            // Even n hits out of n bound p below by α^(1/n); under ½ every example would abstain.
            if alpha > 0 && alpha < 1 && n >= 1 {
                let needed = Int((log(1 / alpha) / log(2)).rounded(.up))
                v.check(
                    n >= needed, key: "n", "\(n) samples can never certify at alpha \(alpha); use at least \(needed)")
            }
        }
    }
    static let descriptor = PluginDescriptor(
        id: "eval.certify", kind: .evaluator, version: "0.1.0",
        summary: "Randomized-smoothing CERTIFY: certified accuracy at radii, overall, per class, worst class",
        config: Config.self)

    static func evaluate(
        _ c: Config, model: any Layer, split: DataSplit, task: TaskInfo, rng: inout RandomGenerator
    ) throws -> Evaluation {
        let labels = split.labels.scalars
        try checkLabels(labels, at: indices(c, count: split.count), classCount: task.classCount)
        let report = certify(c, model: model, split: split, classCount: task.classCount, rng: rng)
        let cap = RandomizedSmoothing.radiusCap(sigma: c.sigma, n: c.n, alpha: c.alpha)
        var details: ConfigObject = [
            "examples": .int(report.rows.count), "abstain_rate": .double(report.abstainRate),
            "radius_cap": .double(cap), "by_radius": report.details(radii: c.radii, classNames: task.classNames),
            "settings": [
                "sigma": .double(c.sigma), "n0": .int(c.n0), "n": .int(c.n), "alpha": .double(c.alpha),
                "skip": .int(c.skip),
            ],
        ]
        if let names = task.classNames { details["class_names"] = .array(names.map { .string($0) }) }
        let title = "certified accuracy, σ = \(c.sigma), n = \(c.n), α = \(c.alpha)"
        return Evaluation(
            metrics: report.metrics(radii: c.radii, perClass: c.perClass), details: details,
            files: ["examples.csv": report.csv(), "radius.svg": report.plot(title: title, cap: cap)])
    }

    /// CERTIFY on every `skip`-th example of `split` (up to `maxExamples`), with the model in evaluation mode.
    static func certify(_ c: Config, model: any Layer, split: DataSplit, classCount: Int, rng: RandomGenerator)
        -> CertificationReport
    {
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        let sampler = NoiseSampler(model: model, classCount: classCount, sigma: c.sigma, batch: c.batch)
        let labels = split.labels.scalars
        let rows = indices(c, count: split.count).map { i in
            var selection = rng.derived(UInt64(2 * i)), estimation = rng.derived(UInt64(2 * i + 1))
            let certificate = RandomizedSmoothing.certify(
                split.inputs.index(i, along: 0), sampler: sampler, n0: c.n0, n: c.n, alpha: c.alpha,
                selection: &selection, estimation: &estimation)
            return CertificationReport.Row(
                index: i, label: Int(labels[i]), prediction: certificate.prediction, radius: certificate.radius)
        }
        return CertificationReport(rows: rows, classCount: classCount)
    }

    /// Every `skip`-th position of `count`, at most `maxExamples` of them.
    static func indices(_ c: Config, count: Int) -> [Int] {
        let all = Array(stride(from: 0, to: count, by: c.skip))
        return c.maxExamples > 0 ? Array(all.prefix(c.maxExamples)) : all
    }

    static func makeSampler(model: any Layer, classCount: Int, sigma: Double, batch: Int) -> any GaussianSampler {
        NoiseSampler(model: model, classCount: classCount, sigma: sigma, batch: batch)
    }
}

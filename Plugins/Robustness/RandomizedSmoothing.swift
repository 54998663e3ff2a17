import Foundation
import TensorEngine

/// CERTIFY and PREDICT of Cohen, Rosenfeld & Kolter (2019) over a ``NoiseSampler`` (robustness.md (a)).
enum RandomizedSmoothing {
    /// What CERTIFY returned for one input.
    struct Certificate: Equatable {
        /// The smoothed classifier's class, or nil when CERTIFY abstained (p̲A < ½).
        var prediction: Int?
        /// σ·Φ⁻¹(p̲A) when certified, 0 when abstaining.
        var radius: Double
        /// The Clopper–Pearson lower bound p̲A on the top class's probability.
        var pALower: Double
        /// How many of the n estimation samples fell on the selected class.
        var topCount: Int
    }

    /// CERTIFY(x, n0, n, α): select the top class from `n0` samples of `selection`, estimate its probability from
    /// `n` fresh samples of `estimation` (independent streams, or the confidence statement is void), and certify
    /// the radius σ·Φ⁻¹(p̲A) when the one-sided (1 − α) lower bound p̲A is at least ½.
    static func certify(
        _ x: Tensor, sampler: NoiseSampler, n0: Int, n: Int, alpha: Double,
        selection: inout RandomGenerator, estimation: inout RandomGenerator
    ) -> Certificate {
        let counts0 = sampler.counts(x, count: n0, using: &selection)
        let top = firstArgmax(counts0)
        let counts = sampler.counts(x, count: n, using: &estimation)
        let nA = counts[top]
        let pA = BinomialBounds.clopperPearsonLower(successes: nA, trials: n, alpha: alpha)
        // Strictly below ½ abstains; exactly ½ would certify radius 0 (never happens in practice).
        guard pA >= 0.5 else { return Certificate(prediction: nil, radius: 0, pALower: pA, topCount: nA) }
        return Certificate(
            prediction: top, radius: sampler.sigma * StandardNormal.quantile(pA), pALower: pA, topCount: nA)
    }

    /// PREDICT(x, n, α): the most frequent class of `n` samples, or nil (abstain) when the two-sided binomial test
    /// of its count against the runner-up's, H0: p = ½, has p-value above α. Wrong with probability at most α.
    static func predict(
        _ x: Tensor, sampler: NoiseSampler, n: Int, alpha: Double, rng: inout RandomGenerator
    ) -> Int? {
        let counts = sampler.counts(x, count: n, using: &rng)
        let top = firstArgmax(counts)
        var rest = counts
        rest[top] = -1
        let runnerUp = rest.count > 1 ? rest.max()! : 0
        let p = BinomialBounds.twoSidedHalfPValue(top: counts[top], runnerUp: Swift.max(runnerUp, 0))
        return p > alpha ? nil : top
    }

    /// The largest radius any CERTIFY run with these settings can report: σ·Φ⁻¹(α^(1/n)).
    static func radiusCap(sigma: Double, n: Int, alpha: Double) -> Double {
        sigma * StandardNormal.quantile(BinomialBounds.clopperPearsonLower(successes: n, trials: n, alpha: alpha))
    }

    /// The first index of the largest count (lowest class on ties, like an argmax over an array).
    static func firstArgmax(_ counts: [Int]) -> Int {
        var best = 0
        for (i, c) in counts.enumerated() where c > counts[best] { best = i }
        return best
    }
}

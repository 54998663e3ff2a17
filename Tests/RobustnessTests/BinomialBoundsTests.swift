import Foundation
import Testing

@testable import Robustness

/// Clopper–Pearson bounds, radii, PREDICT's binomial test and Φ⁻¹ against scipy
/// (tools/fixtures/make_certify_fixtures.py).
@Suite struct BinomialBoundsTests {
    @Test func clopperPearsonLowerBoundsMatchScipy() throws {
        let fixture = try CertifyFixture.load()
        #expect(fixture.clopperPearson.count >= 20)
        for c in fixture.clopperPearson {
            let ours = BinomialBounds.clopperPearsonLower(successes: c.k, trials: c.n, alpha: c.alpha)
            #expect(
                Swift.abs(ours - c.lower) <= 1e-9, "k \(c.k) of n \(c.n), α \(c.alpha): \(ours) vs scipy \(c.lower)")
        }
    }

    @Test func edgeCasesAreExact() {
        #expect(BinomialBounds.clopperPearsonLower(successes: 0, trials: 100_000, alpha: 0.001) == 0)
        // k = n: α^(1/n); the radius cap 3.81σ of robustness.md for n = 10⁵, α = 0.001.
        let all = BinomialBounds.clopperPearsonLower(successes: 100_000, trials: 100_000, alpha: 0.001)
        #expect(all == pow(0.001, 1e-5))
        #expect(Swift.abs(RandomizedSmoothing.radiusCap(sigma: 1, n: 100_000, alpha: 0.001) - 3.8115) < 1e-3)
    }

    @Test func radiiMatchScipyAndAbstainExactlyBelowOneHalf() throws {
        let fixture = try CertifyFixture.load()
        var crossings = 0
        for c in fixture.clopperPearson {
            let lower = BinomialBounds.clopperPearsonLower(successes: c.k, trials: c.n, alpha: c.alpha)
            for (key, expected) in c.radius {
                let sigma = Double(key)!
                if let expected {
                    #expect(lower >= 0.5, "k \(c.k) of \(c.n): scipy certifies but our bound is \(lower)")
                    let radius = sigma * StandardNormal.quantile(lower)
                    #expect(Swift.abs(radius - expected) <= 1e-8 * Swift.max(1, expected),
                            "k \(c.k) of \(c.n), σ \(sigma): radius \(radius) vs \(expected)")
                } else {
                    #expect(lower < 0.5, "k \(c.k) of \(c.n): scipy abstains but our bound is \(lower)")
                }
            }
            if Swift.abs(c.lower - 0.5) < 1e-2 { crossings += 1 }
        }
        // The fixture holds pairs just below and just above ½ (the abstain boundary).
        #expect(crossings >= 6)
    }

    @Test func twoSidedBinomialTestMatchesScipy() throws {
        for c in try CertifyFixture.load().binomialTest {
            let ours = BinomialBounds.twoSidedHalfPValue(top: c.top, runnerUp: c.runnerUp)
            #expect(Swift.abs(ours - c.pvalue) <= 1e-10 * Swift.max(c.pvalue, 1e-300) + 1e-14,
                    "\(c.top) vs \(c.runnerUp): \(ours) vs scipy \(c.pvalue)")
        }
    }

    @Test func normalQuantileMatchesScipyAndInvertsTheCDF() throws {
        for q in try CertifyFixture.load().normalQuantile {
            let x = StandardNormal.quantile(q.p)
            #expect(Swift.abs(x - q.x) <= 1e-10 * Swift.max(1, Swift.abs(q.x)), "Φ⁻¹(\(q.p)) = \(x) vs \(q.x)")
        }
        #expect(StandardNormal.quantile(0) == -.infinity && StandardNormal.quantile(1) == .infinity)
        for p in stride(from: 0.01, to: 1, by: 0.07) {
            #expect(Swift.abs(StandardNormal.cdf(StandardNormal.quantile(p)) - p) < 1e-14)
        }
    }
}

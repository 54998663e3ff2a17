import Foundation

/// Exact binomial statistics in float64: the Clopper–Pearson lower confidence bound CERTIFY uses and the
/// two-sided binomial test PREDICT uses.
enum BinomialBounds {
    /// The one-sided (1 − α) Clopper–Pearson lower bound on p from `successes` out of `trials`.
    ///
    /// The p solving P[Bin(n, p) ≥ k] = α, i.e. the α-quantile of Beta(k, n − k + 1); 0 when k = 0 and α^(1/n)
    /// when k = n. Bisection on the regularised incomplete beta to the last float64 bits.
    static func clopperPearsonLower(successes k: Int, trials n: Int, alpha: Double) -> Double {
        precondition(n >= 1 && (0...n).contains(k), "clopperPearsonLower: \(k) successes out of \(n) trials")
        precondition(alpha > 0 && alpha < 1, "clopperPearsonLower: alpha \(alpha) is outside (0, 1)")
        if k == 0 { return 0 }
        if k == n { return pow(alpha, 1 / Double(n)) }
        let a = Double(k), b = Double(n - k + 1)
        // P[Bin(n, p) ≥ k] = I_p(k, n − k + 1) grows with p: find where it crosses α.
        var lo = 0.0, hi = 1.0
        for _ in 0..<200 {
            let mid = 0.5 * (lo + hi)
            guard mid > lo && mid < hi else { break }
            if IncompleteBeta.regularized(x: mid, a: a, b: b) < alpha { lo = mid } else { hi = mid }
        }
        return 0.5 * (lo + hi)
    }

    /// The two-sided exact binomial test's p-value for `top` successes in `top + runnerUp` trials under
    /// H0: p = ½: `min(1, 2·P[Bin(top + runnerUp, ½) ≤ min(top, runnerUp)])`, exactly 1 on a tie.
    static func twoSidedHalfPValue(top: Int, runnerUp: Int) -> Double {
        precondition(top >= 0 && runnerUp >= 0, "twoSidedHalfPValue: negative counts \(top), \(runnerUp)")
        let n = top + runnerUp, k = Swift.min(top, runnerUp)
        if top == runnerUp { return 1 }
        // P[X ≤ k] for X ~ Bin(n, ½) is I_½(n − k, k + 1).
        let tail = IncompleteBeta.regularized(x: 0.5, a: Double(n - k), b: Double(k + 1))
        return Swift.min(1, 2 * tail)
    }
}

/// The regularised incomplete beta function I_x(a, b) in float64.
enum IncompleteBeta {
    /// I_x(a, b) for a, b > 0 and x in [0, 1].
    ///
    /// The continued fraction of I_x(a, b) converges fast for x < (a + 1)/(a + b + 2); above that the symmetry
    /// I_x(a, b) = 1 − I_{1−x}(b, a) moves the argument there. The prefactor x^a (1 − x)^b / (a·B(a, b)) is formed
    /// in logarithms so that large a and b (n = 10⁵ trials) neither overflow nor underflow.
    static func regularized(x: Double, a: Double, b: Double) -> Double {
        precondition(a > 0 && b > 0 && x >= 0 && x <= 1, "IncompleteBeta: x \(x), a \(a), b \(b)")
        if x == 0 { return 0 }
        if x == 1 { return 1 }
        if x > (a + 1) / (a + b + 2) { return 1 - regularized(x: 1 - x, a: b, b: a) }
        let logPrefactor = a * log(x) + b * log1p(-x) - logBeta(a, b) - log(a)
        return exp(logPrefactor) * continuedFraction(x: x, a: a, b: b)
    }

    static func logBeta(_ a: Double, _ b: Double) -> Double { lgamma(a) + lgamma(b) - lgamma(a + b) }

    /// 1 / (1 + d₁ / (1 + d₂ / (1 + …))) by the modified Lentz method, with
    /// d₂ₘ₊₁ = −(a + m)(a + b + m)x / ((a + 2m)(a + 2m + 1)) and d₂ₘ = m(b − m)x / ((a + 2m − 1)(a + 2m)).
    private static func continuedFraction(x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        // The value is f = 1/(1 + d1/(1 + d2/…)); Lentz evaluates the fraction below the leading 1.
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if Swift.abs(d) < tiny { d = tiny }
        d = 1 / d
        var f = d
        for m in 1...100_000 {
            let mm = Double(m)
            let even = mm * (b - mm) * x / ((a + 2 * mm - 1) * (a + 2 * mm))
            (c, d) = lentzStep(c, d, even, tiny)
            f *= c * d
            let odd = -(a + mm) * (a + b + mm) * x / ((a + 2 * mm) * (a + 2 * mm + 1))
            (c, d) = lentzStep(c, d, odd, tiny)
            let delta = c * d
            f *= delta
            if Swift.abs(delta - 1) < 1e-16 { break }
        }
        return f
    }

    /// One term of the modified Lentz recurrence for a fraction with partial numerator `term` and denominator 1.
    private static func lentzStep(_ c: Double, _ d: Double, _ term: Double, _ tiny: Double) -> (Double, Double) {
        var d = 1 + term * d
        if Swift.abs(d) < tiny { d = tiny }
        var c = 1 + term / c
        if Swift.abs(c) < tiny { c = tiny }
        return (c, 1 / d)
    }
}

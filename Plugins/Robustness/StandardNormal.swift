import Foundation

/// The standard normal distribution in float64: CDF Φ and its inverse Φ⁻¹, as CERTIFY's radius σ·Φ⁻¹(p̲A) needs.
enum StandardNormal {
    /// Φ(x) = P[Z ≤ x], through `erfc` so the lower tail keeps its relative precision.
    static func cdf(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

    /// The density φ(x).
    static func density(_ x: Double) -> Double { exp(-0.5 * x * x) / (2 * Double.pi).squareRoot() }

    /// Φ⁻¹(p) for p in (0, 1); −∞ at 0 and +∞ at 1.
    ///
    /// A rational starting point (Abramowitz & Stegun 26.2.23, error below 4.5e-4) polished by Halley steps on
    /// Φ(x) − q in the tail of q = min(p, 1 − p), where `erfc` is accurate; three or four steps reach float64.
    static func quantile(_ p: Double) -> Double {
        precondition(p >= 0 && p <= 1, "StandardNormal.quantile: p = \(p) is outside [0, 1]")
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        if p == 0.5 { return 0 }
        let q = Swift.min(p, 1 - p)
        let t = (-2 * log(q)).squareRoot()
        var x = -(t - (2.515517 + 0.802853 * t + 0.010328 * t * t)
            / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t))
        for _ in 0..<8 {
            let f = cdf(x) - q
            let d = density(x)
            guard d > 0 else { break }
            // Halley: Newton's step u = f/φ, corrected by the curvature φ'/φ = −x.
            let u = f / d
            let step = u / (1 + 0.5 * x * u)
            x -= step
            if Swift.abs(step) <= 1e-15 * Swift.max(1, Swift.abs(x)) { break }
        }
        return p < 0.5 ? x : -x
    }
}

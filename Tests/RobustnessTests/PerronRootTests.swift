import Foundation
import TensorEngine
import TestSupport
import Testing

@testable import Robustness

/// λ_max of non-negative matrices and its Perron-vector gradient against closed forms and central differences.
@Suite struct PerronRootTests {
    let smoothing = 1e-3

    /// Central differences of λ_max(C + εJ) in float64 against the analytic ∂λ/∂C, entry by entry.
    func expectGradientMatchesFiniteDifferences(
        _ c: [Double], k: Int, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let root = PerronRoot(c, k: k, smoothing: smoothing)
        #expect(
            root.value.isFinite && root.gradient.allSatisfy { $0.isFinite }, "non-finite root",
            sourceLocation: sourceLocation)
        let h = 1e-6
        func lambda(_ i: Int, _ delta: Double) -> Double {
            var probe = c
            probe[i] += delta
            return PerronRoot(probe, k: k, smoothing: smoothing).value
        }
        for i in 0..<(k * k) {
            // Central where the entry can move both ways; at 0 the second-order one-sided formula, so the matrix
            // stays non-negative without a first-order error.
            let numeric = c[i] >= h
                ? (lambda(i, h) - lambda(i, -h)) / (2 * h)
                : (-3 * lambda(i, 0) + 4 * lambda(i, h) - lambda(i, 2 * h)) / (2 * h)
            #expect(Swift.abs(numeric - root.gradient[i]) <= 2e-5 * Swift.max(1, Swift.abs(numeric)),
                    "∂λ/∂C[\(i / k)][\(i % k)]: \(root.gradient[i]) vs finite difference \(numeric)",
                    sourceLocation: sourceLocation)
        }
    }

    @Test func twoByTwoHasTheClosedForm() {
        // [[0, a], [b, 0]] + εJ has λ = ε + √((a + ε)(b + ε)).
        let (a, b) = (0.3, 0.12)
        let root = PerronRoot([0, a, b, 0], k: 2, smoothing: smoothing)
        #expect(Swift.abs(root.value - (smoothing + ((a + smoothing) * (b + smoothing)).squareRoot())) < 1e-12)
        expectGradientMatchesFiniteDifferences([0, a, b, 0], k: 2)
    }

    @Test func positiveMatrixGradientMatchesFiniteDifferences() {
        var rng = RandomGenerator(seed: 4)
        let k = 4
        var c = (0..<(k * k)).map { _ in 0.05 + 0.4 * rng.nextUniform() }
        for i in 0..<k { c[i * k + i] = 0 }
        expectGradientMatchesFiniteDifferences(c, k: k)
        // The Perron root lies between the smallest and the largest column sum (of C + εJ).
        let root = PerronRoot(c, k: k, smoothing: smoothing)
        let sums = (0..<k).map { j in (0..<k).reduce(0.0) { $0 + c[$1 * k + j] + smoothing } }
        #expect(root.value >= sums.min()! - 1e-12 && root.value <= sums.max()! + 1e-12)
        #expect(root.gradient.allSatisfy { $0 > 0 })
    }

    @Test func reducibleMatricesHaveFiniteGradientsThatMatchFiniteDifferences() {
        // Class 2 is never predicted (row 2 zero) and never mistaken (column 2 zero): C is reducible.
        expectGradientsMatchForReducible([0, 0.3, 0, 0.2, 0, 0, 0, 0, 0], k: 3)
        // Nilpotent: λ(C) = 0 with left and right Perron vectors orthogonal (y·x = 0 without smoothing).
        expectGradientsMatchForReducible([0, 1, 0, 0], k: 2)
        // A perfect classifier: no errors at all.
        expectGradientsMatchForReducible([Double](repeating: 0, count: 9), k: 3)
        // Two identical disconnected blocks: λ is a double root of C.
        expectGradientsMatchForReducible(
            [0, 0.2, 0, 0, 0.2, 0, 0, 0, 0, 0, 0, 0.2, 0, 0, 0.2, 0], k: 4)
    }

    func expectGradientsMatchForReducible(_ c: [Double], k: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        let root = PerronRoot(c, k: k, smoothing: smoothing)
        #expect(!root.value.isNaN && root.gradient.allSatisfy { !$0.isNaN && $0 >= 0 }, sourceLocation: sourceLocation)
        // The smoothing moves λ by at most ε·K.
        let unsmoothedUpper = (0..<k).map { j in (0..<k).reduce(0.0) { $0 + c[$1 * k + j] } }.max()!
        #expect(root.value <= unsmoothedUpper + smoothing * Double(k) + 1e-12, sourceLocation: sourceLocation)
        expectGradientMatchesFiniteDifferences(c, k: k, sourceLocation: sourceLocation)
    }

    @Test func squashedWeightsSpanTheirRange() {
        let g = [0.1, 0.4, 0.25, 0.7]
        let minmax = SpectralPenalty.weights(from: g, squash: .minmax)
        #expect(Swift.abs(minmax.min()! - 0.01) < 1e-12 && Swift.abs(minmax.max()! - 2.01) < 1e-12)
        #expect(Swift.abs(minmax[2] - (2 * 0.15 / 0.6 + 0.01)) < 1e-12)
        let mean = SpectralPenalty.weights(from: g, squash: .mean)
        #expect(Swift.abs(mean.reduce(0, +) / 4 - 1) < 1e-12)
        #expect(SpectralPenalty.weights(from: [0.5, 0.5], squash: .minmax) == [1, 1])
    }

    @Test func softConfusionHoldsClassConditionalMeansOffTheDiagonal() {
        let p = Tensor([4, 3], [0.7, 0.2, 0.1, 0.5, 0.3, 0.2, 0.1, 0.8, 0.1, 0.3, 0.3, 0.4])
        let c = SpectralPenalty.softConfusion(
            probabilities: p, labels: Tensor([4], [0, 0, 1, 2]), normalization: .rates)
        // Column 0: mean of rows 0 and 1; column 1: row 2; column 2: row 3; diagonal zero.
        expectClose(c.scalars, [0, 0.1, 0.3, 0.25, 0, 0.3, 0.15, 0.1, 0], tolerance: 1e-6, "C_soft")
        let counts = SpectralPenalty.softConfusion(probabilities: p, labels: Tensor([4], [0, 0, 1, 2]),
                                                   normalization: .counts)
        expectClose(counts.scalars, [0, 0.1, 0.3, 0.5, 0, 0.3, 0.3, 0.1, 0], tolerance: 1e-6, "C_soft counts")
    }

    @Test func softLambdaIsDifferentiableThroughTheSoftmax() {
        // A batch missing class 3 makes a zero column: reducible, still a gradient.
        let labels = Tensor([6], [0, 0, 1, 1, 2, 2])
        for classes in [3, 4] {
            let logits = awayFromZero([6, classes], seed: UInt64(classes))
            expectGradientsMatch([logits]) { xs in
                let c = SpectralPenalty.softConfusion(
                    probabilities: xs[0].softmax(axis: 1), labels: labels, normalization: .rates)
                return SpectralPenalty.lambdaMax(c, smoothing: 1e-3).value
            }
        }
        // The recorded value is λ_max itself.
        let c = Tensor([3, 3], [0, 0.2, 0.1, 0.3, 0, 0.05, 0.1, 0.1, 0])
        let (value, root) = SpectralPenalty.lambdaMax(c, smoothing: 1e-3)
        #expect(Swift.abs(Double(value.item) - root.value) < 1e-6)
    }
}

import TensorEngine
import TestSupport
import Testing

/// The quantisers of spam.md §(c) against groups worked out by hand from its formulas.
@Suite struct FakeQuantizationTests {
    func quantize(_ values: [Float], _ format: FakeQuantFormat, group: Int) -> [Float] {
        Tensor([values.count], values).fakeQuantized(FakeQuantization(format, groupSize: group)).scalars
    }

    /// INT4 asymmetric: scale = (max − min)/15, zero = clamp(−round(min/scale), 0, 15),
    /// q = clamp(round(x/scale) + zero, 0, 15), x̂ = (q − zero)·scale; round half to even.
    @Test func int4AsymmetricGroups() {
        // [−1, 2]: scale 0.2, zero 5; 0.5/0.2 = 2.5 rounds to 2 (ties to even) → 0.4.
        let scale = Float(3) / 15
        expectClose(quantize([-1, 0, 0.5, 2], .intAsymmetric(bits: 4), group: 4),
                    [(0 - 5) * scale, 0, (7 - 5) * scale, (15 - 5) * scale], tolerance: 0, "mixed signs")
        // All positive: the zero point clamps to 0, so the grid starts at 0 and the top of the range clips to 15·scale.
        expectClose(quantize([1, 2, 3, 4], .intAsymmetric(bits: 4), group: 4), [5 * scale, 10 * scale, 15 * scale, 15 * scale],
                    tolerance: 0, "all positive")
        // A constant group: scale = 1e-5/15 and q clips at 15, so every element becomes 15·scale ≈ 1e-5.
        let tiny = Float(1e-5) / 15
        expectClose(quantize([0.3, 0.3], .intAsymmetric(bits: 4), group: 2), [15 * tiny, 15 * tiny], tolerance: 0,
                    "constant group")
        // Groups are consecutive row-major runs, each with its own scale: [0, 15] and [0, 1.5].
        expectClose(quantize([0, 15, 7.4, 0, 1.5, 0.74], .intAsymmetric(bits: 4), group: 3),
                    [0, 15, 7, 0, 1.5, 0.7], tolerance: 1e-6, "two groups")
        // 8 bits: 255 steps over [−1, 1.55]: scale 0.01, zero 100.
        let s8 = Float(2.55) / 255
        expectClose(quantize([-1, 1.55, 0.123], .intAsymmetric(bits: 8), group: 3),
                    [(0 - 100) * s8, (255 - 100) * s8, (112 - 100) * s8], tolerance: 0, "int8")
    }

    /// INT4 symmetric with the top-2 |x| kept exact: scale = max|rest| (3.5 here), q = clamp(round(x·7/scale),
    /// −8, 7), x̂ = q·scale/7.
    @Test func int4SymmetricGroupKeepsTwoOutliers() {
        let x: [Float] = [100, 3.5, -1.75, 1.25, -50, 0.25, -3.5, 0.75]
        // x·2: 7, −3.5 → −4 (ties to even), 2.5 → 2, 0.5 → 0, −7, 1.5 → 2; then ·0.5.
        expectClose(quantize(x, .intSymmetric(bits: 4, outliers: 2), group: 8), [100, 3.5, -2, 1, -50, 0, -3.5, 1],
                    tolerance: 0, "top-2 kept")
        // Without outlier handling the grid spans 100, and everything small rounds to 0.
        expectClose(quantize(x, .intSymmetric(bits: 4, outliers: 0), group: 8),
                    [100, 0, 0, 0, Float(-4) * 100 / 7, 0, 0, 0], tolerance: 1e-6, "no outliers")
        // A group whose rest is all zero uses scale 1e-6.
        expectClose(quantize([5, 0, 0, -6], .intSymmetric(bits: 4, outliers: 2), group: 4), [5, 0, 0, -6], tolerance: 0,
                    "zero rest")
    }

    /// Stable-SPAM's FP4: a uniform grid of step α/4, α = max|rest|, top-2 kept.
    @Test func fp4UniformGroup() {
        let x: [Float] = [8, 1, -0.3, 0.5, 0.125, -9, 0.63, 0.375]
        // ·4: 4, −1.2 → −1, 2, 0.5 → 0 (tie), 2.52 → 3, 1.5 → 2 (tie); then ·0.25.
        expectClose(quantize(x, .fp4Uniform(outliers: 2), group: 8), [8, 1, -0.25, 0.5, 0, -9, 0.75, 0.5],
                    tolerance: 0, "uniform grid")
        // Nine levels only.
        var rng = RandomGenerator(seed: 1)
        let many = Tensor.normal([4, 256], using: &rng).fakeQuantized(.fp4)
        for g in 0..<4 {
            let group = Array(many.scalars[(g * 256)..<((g + 1) * 256)])
            #expect(Set(group).count <= 9 + 2, "group \(g): \(Set(group).count) distinct values")
        }
    }

    /// E2M1: ±{0, 0.5, 1, 1.5, 2, 3, 4, 6}·α/6 with ties to the even code.
    @Test func e2m1Group() {
        let x: [Float] = [6, 0.25, 0.75, 2.5, 3.5, 5, 5.5, -1.6]
        expectClose(quantize(x, .fp4E2M1(outliers: 0), group: 8), [6, 0, 1, 2, 4, 4, 6, -1.5], tolerance: 0, "E2M1")
        // Scaled: α = 3 halves every level; the outlier stays.
        expectClose(quantize([3, 0.5, -1.25, 100], .fp4E2M1(outliers: 1), group: 4), [3, 0.5, -1, 100], tolerance: 0,
                    "scaled with an outlier")
    }

    /// The presets are spam.md's: INT4 weights asymmetric per 256, activations symmetric with top-2, FP4 uniform.
    @Test func presetsFollowStableSPAM() {
        #expect(FakeQuantization.int4Weights == FakeQuantization(.intAsymmetric(bits: 4), groupSize: 256))
        #expect(FakeQuantization.int4Activations == FakeQuantization(.intSymmetric(bits: 4, outliers: 2), groupSize: 256))
        #expect(FakeQuantization.fp4 == FakeQuantization(.fp4Uniform(outliers: 2), groupSize: 256))
        // A weight [out, in] with in = 256 is grouped per row.
        var rng = RandomGenerator(seed: 2)
        let w = Tensor.normal([3, 256], using: &rng)
        let rowwise = (0..<3).flatMap { r in w.slice(axis: 0, r..<(r + 1)).fakeQuantized(.int4Weights).scalars }
        #expect(w.fakeQuantized(.int4Weights).scalars == rowwise)
    }
}

import Testing
import TensorEngine
import TestSupport

/// Batch, layer and RMS normalisation against their compositions from primitives, gradients against finite
/// differences, running-statistics bookkeeping; dropout and drop-path.
@Suite struct NormalizationTests {
    /// The definition, built from primitives: (x − mean)/√(var + eps)·w + b over `axes`, w and b broadcast.
    static func composite(_ x: Tensor, _ w: Tensor?, _ b: Tensor?, axes: [Int], rms: Bool = false, eps: Float) -> Tensor {
        let centred = rms ? x : x - x.mean(axes: axes, keepingDims: true)
        var y = centred / ((centred * centred).mean(axes: axes, keepingDims: true) + eps).sqrt()
        if let w { y = y * w }
        if let b { y = y + b }
        return y
    }

    @Test func batchNormTrainMatchesDefinitionAndGradients() {
        let x = awayFromZero([3, 4, 3, 2], seed: 1) * 2 + 0.5
        let w = awayFromZero([4], seed: 2), b = awayFromZero([4], seed: 3)
        var stats = BatchNormStatistics(channels: 4)
        let y = x.batchNorm(weight: w, bias: b, statistics: &stats, mode: .train)
        let reference = Self.composite(x, w.reshaped([1, 4, 1, 1]), b.reshaped([1, 4, 1, 1]), axes: [0, 2, 3], eps: 1e-5)
        expectClose(y.scalars, reference.scalars, tolerance: 1e-5, "train output")
        expectGradientsMatch([x, w, b]) {
            var s = BatchNormStatistics(channels: 4)
            return $0[0].batchNorm(weight: $0[1], bias: $0[2], statistics: &s, mode: .train)
        }
        // Without affine parameters, and as BatchNorm1d on [N, C].
        expectGradientsMatch([x]) {
            var s = BatchNormStatistics(channels: 4)
            return $0[0].batchNorm(weight: nil, bias: nil, statistics: &s, mode: .train)
        }
        let x2 = awayFromZero([5, 3], seed: 4)
        expectGradientsMatch([x2]) {
            var s = BatchNormStatistics(channels: 3)
            return $0[0].batchNorm(weight: nil, bias: nil, statistics: &s, mode: .train)
        }
    }

    @Test func batchNormRunningStatistics() {
        let x = awayFromZero([4, 2, 3, 3], seed: 5) + 1
        let n: Float = 4 * 9
        let batchMean = x.mean(axes: [0, 2, 3]).scalars
        let batchVar = x.variance(axes: [0, 2, 3]).scalars
        var stats = BatchNormStatistics(channels: 2)
        _ = x.batchNorm(weight: nil, bias: nil, statistics: &stats, mode: .train, momentum: 0.1)
        #expect(stats.batchesTracked == 1)
        expectClose(stats.mean.scalars, batchMean.map { 0.1 * $0 }, "running mean")
        expectClose(stats.variance.scalars, batchVar.map { 0.9 + 0.1 * $0 * n / (n - 1) }, "running variance (unbiased)")

        // Cumulative average over two batches.
        let x2 = awayFromZero([4, 2, 3, 3], seed: 6) - 1
        var cumulative = BatchNormStatistics(channels: 2)
        _ = x.batchNorm(weight: nil, bias: nil, statistics: &cumulative, mode: .train, momentum: nil)
        _ = x2.batchNorm(weight: nil, bias: nil, statistics: &cumulative, mode: .train, momentum: nil)
        let mean2 = x2.mean(axes: [0, 2, 3]).scalars
        expectClose(cumulative.mean.scalars, zip(batchMean, mean2).map { ($0 + $1) / 2 }, "cumulative mean")

        // Eval changes nothing.
        let before = stats
        _ = x.batchNorm(weight: nil, bias: nil, statistics: &stats, mode: .eval)
        #expect(stats.mean.scalars == before.mean.scalars && stats.batchesTracked == 1)
    }

    @Test func batchNormEvalAndRecalibrate() {
        let x = awayFromZero([2, 3, 2, 2], seed: 7)
        let w = awayFromZero([3], seed: 8), b = awayFromZero([3], seed: 9)
        let stats = BatchNormStatistics(mean: Tensor([3], [0.5, -0.25, 1]), variance: Tensor([3], [2, 0.5, 1.5]),
                                        batchesTracked: 3)
        var evalStats = stats
        let y = x.batchNorm(weight: w, bias: b, statistics: &evalStats, mode: .eval)
        let m = stats.mean.reshaped([1, 3, 1, 1]), v = stats.variance.reshaped([1, 3, 1, 1])
        let reference = (x - m) / (v + 1e-5).sqrt() * w.reshaped([1, 3, 1, 1]) + b.reshaped([1, 3, 1, 1])
        expectClose(y.scalars, reference.scalars, "eval output")
        expectGradientsMatch([x, w, b]) {
            var s = stats
            return $0[0].batchNorm(weight: $0[1], bias: $0[2], statistics: &s, mode: .eval)
        }

        // Recalibration: eval's outputs, train's statistics update.
        var recal = stats, trained = stats
        let yr = x.batchNorm(weight: w, bias: b, statistics: &recal, mode: .recalibrate)
        _ = x.batchNorm(weight: w, bias: b, statistics: &trained, mode: .train)
        #expect(yr.scalars == y.scalars)
        #expect(recal.mean.scalars == trained.mean.scalars && recal.variance.scalars == trained.variance.scalars)
        #expect(recal.batchesTracked == 4)
    }

    @Test func layerNormMatchesDefinitionAndGradients() {
        let x = awayFromZero([2, 3, 5], seed: 10) * 3 + 1
        let w = awayFromZero([5], seed: 11), b = awayFromZero([5], seed: 12)
        expectClose(x.layerNorm(weight: w, bias: b).scalars,
                    Self.composite(x, w, b, axes: [2], eps: 1e-5).scalars, tolerance: 1e-5, "layer norm")
        expectGradientsMatch([x, w, b]) { $0[0].layerNorm(weight: $0[1], bias: $0[2]) }
        expectGradientsMatch([x]) { $0[0].layerNorm() }
        // Over the last two dimensions; weight only.
        let w2 = awayFromZero([3, 5], seed: 13)
        expectClose(x.layerNorm(weight: w2, normalizedRank: 2).scalars,
                    Self.composite(x, w2, nil, axes: [1, 2], eps: 1e-5).scalars, tolerance: 1e-5, "layer norm, 2 dims")
        expectGradientsMatch([x, w2]) { $0[0].layerNorm(weight: $0[1], normalizedRank: 2) }
    }

    @Test func rmsNormMatchesDefinitionAndGradients() {
        let x = awayFromZero([3, 6], seed: 14)
        let w = awayFromZero([6], seed: 15)
        expectClose(x.rmsNorm(weight: w).scalars, Self.composite(x, w, nil, axes: [1], rms: true, eps: 1e-6).scalars,
                    tolerance: 1e-5, "rms norm")
        expectGradientsMatch([x, w]) { $0[0].rmsNorm(weight: $0[1]) }
        expectGradientsMatch([x]) { $0[0].rmsNorm() }
    }

    @Test func dropoutAndDropPath() {
        let x = Tensor.ones([64, 32])
        var rng = RandomGenerator(seed: 1)
        #expect(x.dropout(probability: 0.5, training: false, using: &rng).sharesStorage(with: x))
        #expect(rng.offset == 0)
        let y = x.dropout(probability: 0.25, training: true, using: &rng)
        #expect(y.scalars.allSatisfy { $0 == 0 || $0 == Float(4) / 3 })
        let kept = Float(y.scalars.filter { $0 != 0 }.count) / Float(y.count)
        #expect(Swift.abs(kept - 0.75) < 0.05)
        // Same seed, same mask; the gradient is the mask.
        var a = RandomGenerator(seed: 2), b = RandomGenerator(seed: 2)
        let g = gradient(of: { $0.dropout(probability: 0.5, training: true, using: &a).sum() }, at: x)
        #expect(g.scalars == x.dropout(probability: 0.5, training: true, using: &b).scalars)
        #expect(x.dropout(probability: 1, training: true, using: &rng).scalars.allSatisfy { $0 == 0 })

        // Drop-path zeroes or scales whole samples.
        let p = Tensor.ones([200, 3, 2]).dropPath(probability: 0.5, training: true, using: &rng)
        let samples = (0..<200).map { Array(p.scalars[($0 * 6)..<($0 * 6 + 6)]) }
        #expect(samples.allSatisfy { s in s.allSatisfy { $0 == 0 } || s.allSatisfy { $0 == 2 } })
        let dropped = samples.filter { $0[0] == 0 }.count
        #expect(dropped > 70 && dropped < 130)
        #expect(x.dropPath(probability: 0.3, training: false, using: &rng).sharesStorage(with: x))
    }
}

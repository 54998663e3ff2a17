import TensorEngine
import TestSupport
import Testing

/// Straight-through estimators and the mask product (methods/ops.md §3): forward values, and gradients against
/// central differences of the surrogate in which the hard op is replaced by the identity.
@Suite struct StraightThroughTests {
    /// Autodiff through `hard` must equal finite differences through `surrogate`: the same function with every
    /// straight-through op h(u) replaced by h(u₀) + (u − u₀), which has h's value at the point and the identity's
    /// derivative.
    func expectStraightThrough(
        _ xs: [Tensor], hard: ([Tensor]) -> Tensor, surrogate: @escaping ([Tensor]) -> Tensor,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let leaves = xs.map { $0.detached().requiringGrad() }
        var rng = RandomGenerator(seed: 11)
        let r = Tensor.uniform(withoutGradients { hard(xs) }.shape, low: 0.5, high: 1.5, using: &rng)
        (hard(leaves) * r).sum().backward()
        let h: Float = 1e-2
        for (k, x) in xs.enumerated() {
            let analytic = leaves[k].grad?.scalars ?? []
            #expect(analytic.count == x.count, sourceLocation: sourceLocation)
            for i in 0..<x.count {
                func value(_ d: Float) -> Double {
                    var p = x.scalars
                    p[i] += d
                    var inputs = xs
                    inputs[k] = Tensor(x.shape, p)
                    let y = withoutGradients { surrogate(inputs) }
                    return zip(y.scalars, r.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                }
                let numeric = (value(h) - value(-h)) / (2 * Double(h))
                #expect(Swift.abs(numeric - Double(analytic[i])) <= 2e-3 + 2e-2 * Swift.abs(numeric),
                        "input \(k) element \(i): autodiff \(analytic[i]) vs surrogate \(numeric)",
                        sourceLocation: sourceLocation)
            }
        }
    }

    @Test func thresholdIsAHardStepForward() {
        let s = Tensor([6], [-2, -0.5, 0, 0.3, 0.5, 4])
        #expect(s.straightThroughThreshold(0.3).scalars == [0, 0, 0, 0, 1, 1])
        #expect(s.magnitudeMask(threshold: 0.5).scalars == [1, 0, 0, 0, 0, 1])
    }

    @Test func thresholdPassesTheGradientStraightThrough() {
        let s = awayFromZero([3, 4], seed: 1)
        let step0 = (s * 2).straightThroughThreshold(0.4)
        expectStraightThrough([s], hard: { ($0[0] * 2).straightThroughThreshold(0.4) * $0[0] },
                              surrogate: { (step0 + ($0[0] * 2 - s * 2)) * $0[0] })
    }

    /// VPN's masked weight w ⊙ 1[|s| > τ]: ∂/∂w = m·g and ∂/∂s = sign(s)·w·g.
    @Test func maskedWeightGradientsReachWeightsAndScores() {
        let w = awayFromZero([2, 5], seed: 2), s = awayFromZero([2, 5], seed: 3)
        let mask0 = s.magnitudeMask(threshold: 0.6)
        #expect(mask0.scalars.contains(0) && mask0.scalars.contains(1))
        expectStraightThrough([w, s], hard: { $0[0] * $0[1].magnitudeMask(threshold: 0.6) },
                              surrogate: { $0[0] * (mask0 + ($0[1].abs() - s.abs())) })
        // And the explicit formula for the scores.
        let sLeaf = s.requiringGrad()
        (w * sLeaf.magnitudeMask(threshold: 0.6)).sum().backward()
        expectClose(sLeaf.grad!.scalars, zip(w.scalars, s.scalars).map { $0 * ($1 > 0 ? 1 : -1) }, tolerance: 0,
                    "∂L/∂s = sign(s)·w")
    }

    /// The element-wise product with a mask sends gradients to both operands (a fixed 0/1 mask and a soft one).
    @Test func maskMultiplyGradientsMatchFiniteDifferences() {
        let w = awayFromZero([3, 4], seed: 4)
        let m = Tensor([3, 4], [1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0])
        expectGradientsMatch([w, m]) { $0[0] * $0[1] }
        expectGradientsMatch([w, awayFromZero([3, 4], seed: 5)]) { ($0[0] * $0[1]).squared() }
        // Masked-out weights still get the dense gradient through the mask operand.
        let mLeaf = m.requiringGrad(), wLeaf = w.requiringGrad()
        (wLeaf * mLeaf).sum().backward()
        #expect(wLeaf.grad!.scalars == m.scalars)
        #expect(mLeaf.grad!.scalars == w.scalars)
    }

    /// Fake quantisation is straight-through: d L(Q(x))/dx = L′(Q(x)).
    @Test func fakeQuantizationGradientIsStraightThrough() {
        let x = awayFromZero([2, 8], seed: 6)
        let w = awayFromZero([2, 8], seed: 7)
        for q in [FakeQuantization(.intAsymmetric(bits: 4), groupSize: 8),
                  FakeQuantization(.intSymmetric(bits: 4, outliers: 2), groupSize: 8),
                  FakeQuantization(.fp4Uniform(outliers: 2), groupSize: 4),
                  FakeQuantization(.fp4E2M1(outliers: 1), groupSize: 8)] {
            let quantized = withoutGradients { x.fakeQuantized(q) }
            // Hard: L(Q(x)) with L(v) = (v·w)²; surrogate: L(Q(x₀) + (x − x₀)), whose derivative is L′(Q(x₀)).
            expectStraightThrough([x], hard: { ($0[0].fakeQuantized(q) * w).squared() },
                                  surrogate: { ((quantized + ($0[0] - x)) * w).squared() })
        }
    }

    /// Kinks stay finite: a threshold exactly at an element, and quantising a constant or zero group.
    @Test func degenerateInputsStayFinite() {
        let s = Tensor([3], [0.5, -0.5, 0]).requiringGrad()
        (s.magnitudeMask(threshold: 0.5) * 3).sum().backward()
        #expect(s.grad!.scalars.allSatisfy { $0.isFinite })
        for q in [FakeQuantization.int4Weights, .int4Activations, .fp4, FakeQuantization(.fp4E2M1(outliers: 2))] {
            for v: Float in [0, 0.3, -7] {
                let out = Tensor.full([2, 256], v).fakeQuantized(q)
                #expect(out.scalars.allSatisfy { $0.isFinite }, "\(q) on a constant \(v) group")
            }
        }
    }
}

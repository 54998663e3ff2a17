import Testing
import TensorEngine
import TestSupport

/// Kinks give finite (sub)gradients and the softmaxes stay exact for huge logits.
@Suite struct StabilityTests {
    func allFinite(_ t: Tensor) -> Bool { t.scalars.allSatisfy(\.isFinite) }

    @Test func kinksStayFinite() {
        let x = Tensor([5], [-1, -0.0, 0, 0.0, 1])
        let relu = gradient(of: { $0.relu().sum() }, at: x)
        #expect(relu.scalars == [0, 0, 0, 0, 1])
        let abs = gradient(of: { $0.abs().sum() }, at: x)
        #expect(abs.scalars == [-1, 0, 0, 0, 1])
        #expect(allFinite(gradient(of: { $0.leakyRelu().sum() }, at: x)))
        #expect(allFinite(gradient(of: { $0.clamped(min: 0, max: 1).sum() }, at: x)))
        #expect(allFinite(gradient(of: { Tensor.maximum($0, Tensor(0)).sum() }, at: x)))
        #expect(allFinite(gradient(of: { $0.max().sum() }, at: Tensor([3], [2, 2, 1]))))
        // Ties share the gradient of a max equally.
        #expect(gradient(of: { $0.max() }, at: Tensor([3], [2, 2, 1])).scalars == [0.5, 0.5, 0])
    }

    @Test func sqrtNearAndAtZero() {
        let tiny = Tensor([3], [1e-30, 1e-20, 1e-12])
        let g = gradient(of: { $0.sqrt().sum() }, at: tiny)
        #expect(allFinite(g))
        #expect(g.scalars[2] > 4e5)
        // At 0 the derivative is infinite; the engine gives a finite subgradient so norms of zero vectors,
        // and elements that do not reach the loss, do not turn NaN.
        let zero = Tensor([3], [0, 4, 0])
        #expect(allFinite(gradient(of: { $0.sqrt().sum() }, at: zero)))
        #expect(allFinite(gradient(of: { ($0.sqrt() * Tensor([3], [0, 1, 0])).sum() }, at: zero)))
        #expect(allFinite(gradient(of: { $0.squared().sum().sqrt() }, at: Tensor.zeros([4]))))
        #expect(allFinite(gradient(of: { $0.pow(0.5).sum() + $0.pow(0).sum() }, at: Tensor([2], [0, 1]))))
        // Tensor exponents: a zero base with exponents below 1, and a negative base (no log) for the exponent.
        let base = Tensor([3], [0, 0, -2]), exponent = Tensor([3], [0.5, 0, 2])
        #expect(allFinite(gradient(of: { $0.pow(exponent).sum() }, at: base)))
        #expect(gradient(of: { base.pow($0).sum() }, at: exponent).scalars == [0, 0, 0])
    }

    @Test func softmaxIsExactForHugeLogits() {
        let z = Tensor([2, 3], [1000, 999, 998, -1000, -1001, -1002])
        let p = z.softmax(axis: 1)
        let expected: [Float] = [0.66524096, 0.24472847, 0.09003057]
        expectClose(p.scalars, expected + expected, tolerance: 1e-6, "softmax")
        let lp = z.logSoftmax(axis: 1)
        let expectedLog: [Float] = [-0.40760596, -1.40760596, -2.40760596]
        expectClose(lp.scalars, expectedLog + expectedLog, tolerance: 1e-6, "logSoftmax")
        let extreme = Tensor([1, 4], [1000, -1000, 0, 1000])
        #expect(allFinite(extreme.softmax()) && allFinite(extreme.logSoftmax()))
        #expect(allFinite(gradient(of: { $0.logSoftmax().sum() }, at: extreme)))
        #expect(allFinite(gradient(of: { ($0.softmax() * Tensor([1, 4], [1, 2, 3, 4])).sum() }, at: extreme)))
        let ce = extreme.crossEntropy(targets: Tensor([1], [1]))
        #expect(Swift.abs(ce.item - 2000.6931) < 1e-2)  // log(2e1000) − (−1000)
    }

    @Test func sigmoidSoftplusTanhTails() {
        let x = Tensor([4], [-1000, -200, 200, 1000])
        #expect(x.sigmoid().scalars == [0, 0, 1, 1])
        #expect(allFinite(x.softplus()) && x.softplus().scalars[3] == 1000)
        for f: (Tensor) -> Tensor in [{ $0.sigmoid() }, { $0.softplus() }, { $0.tanh() }, { $0.gelu() }] {
            #expect(allFinite(gradient(of: { f($0).sum() }, at: x)))
        }
    }

    @Test func selectPassesInfinitiesThrough() {
        // Masking scores with -inf (attention masks) must not create NaN where either branch is infinite.
        let scores = Tensor([4], [1, 2, 3, 4]), mask = Tensor([4], [1, 0, 1, 0])
        let masked = Tensor.select(mask, scores, Tensor(-.infinity))
        #expect(masked.scalars == [1, -.infinity, 3, -.infinity])
        #expect(Tensor.select(mask, Tensor(.infinity), scores).scalars == [.infinity, 2, .infinity, 4])
        let p = masked.softmax()
        #expect(allFinite(p) && p.scalars[1] == 0)
        #expect(allFinite(gradient(of: { Tensor.select(mask, $0, Tensor(-.infinity)).softmax().max() }, at: scores)))
    }
}

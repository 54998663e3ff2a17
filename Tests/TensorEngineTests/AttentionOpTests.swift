import Testing
import TensorEngine
import TestSupport

/// Masked softmax, Q·Kᵀ products and the fused multi-head attention primitive, against their compositions from
/// older primitives and against finite differences.
@Suite struct AttentionOpTests {
    /// Forward values and the gradients of Σ y·r, for comparing two implementations of one function.
    func valuesAndGradients(_ inputs: [Tensor], seed: UInt64 = 11, _ f: ([Tensor]) -> Tensor) -> [[Float]] {
        let leaves = inputs.map { $0.requiringGrad() }
        let y = f(leaves)
        var rng = RandomGenerator(seed: seed)
        (y * Tensor.normal(y.shape, using: &rng)).sum().backward()
        return [y.scalars] + leaves.map { $0.grad?.scalars ?? [] }
    }

    func expectSame(_ a: [[Float]], _ b: [[Float]], tolerance: Float = 1e-5, _ what: String,
                    sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.count == b.count, sourceLocation: sourceLocation)
        for (i, (p, q)) in zip(a, b).enumerated() {
            expectClose(p, q, tolerance: tolerance, "\(what) \(i == 0 ? "values" : "gradient \(i - 1)")",
                        sourceLocation: sourceLocation)
        }
    }

    @Test func maskedSoftmaxEqualsSoftmaxOfMaskedScores() {
        let scores = awayFromZero([2, 3, 4, 6], seed: 1)
        for causal in [false, true] {
            let fused = valuesAndGradients([scores]) { $0[0].maskedSoftmax(scale: 0.7, causal: causal) }
            let composed = valuesAndGradients([scores]) {
                let scaled = $0[0] * 0.7
                return (causal ? scaled + Tensor.causalMask(queries: 4, keys: 6) : scaled).softmax(axis: -1)
            }
            expectSame(fused, composed, "masked softmax (causal: \(causal))")
        }
        // Queries are the last T of S keys: row 0 of a [2, 4] block sees keys 0...2.
        let p = Tensor.zeros([2, 4]).maskedSoftmax(causal: true)
        let third: Float = 1 / 3
        expectClose(p.scalars, [third, third, third, 0, 0.25, 0.25, 0.25, 0.25], tolerance: 1e-6, "causal rows")
    }

    @Test func maskedSoftmaxGradientMatchesFiniteDifferences() {
        expectGradientsMatch([awayFromZero([2, 4, 4], seed: 2)]) { $0[0].maskedSoftmax(scale: 0.5, causal: true) }
        expectGradientsMatch([awayFromZero([3, 5], seed: 3)]) { $0[0].maskedSoftmax(scale: 2, causal: false) }
    }

    @Test func fusedCrossEntropyEqualsTheComposite() {
        // Unit class weights take the composite path over logSoftmax and give the same function.
        let logits = awayFromZero([37, 11], seed: 13) * 3
        var rng = RandomGenerator(seed: 14)
        let targets = Tensor.integers([37], low: 0, high: 11, using: &rng)
        expectSame(valuesAndGradients([logits]) { $0[0].crossEntropy(targets: targets) },
                   valuesAndGradients([logits]) { $0[0].crossEntropy(targets: targets, weights: Tensor.ones([11])) },
                   "cross-entropy")
        let big = Tensor([2, 3], [1000, 0, -1000, -5, 7, 7.5])
        expectClose([big.crossEntropy(targets: Tensor([2], [0, 2])).item], [(0 + 0.474079) / 2], tolerance: 1e-5, "large logits")
    }

    @Test func matmulTransposingMatchesExplicitTranspose() {
        let a = awayFromZero([2, 3, 4, 5], seed: 4), b = awayFromZero([2, 3, 6, 5], seed: 5)
        expectSame(valuesAndGradients([a, b]) { $0[0].matmul(transposing: $0[1]) },
                   valuesAndGradients([a, b]) { $0[0].matmul($0[1].transposed()) }, "A·Bᵀ")
        expectGradientsMatch([awayFromZero([2, 3, 4], seed: 6), awayFromZero([2, 2, 4], seed: 7)]) {
            $0[0].matmul(transposing: $0[1])
        }
    }

    /// Attention composed from split, permute, Q·Kᵀ, masked softmax, ·V and merge: the reference for the fused op.
    func composedAttention(_ qkv: Tensor, heads: Int, causal: Bool) -> Tensor {
        let (b, t, d) = (qkv.shape[0], qkv.shape[1], qkv.shape[2] / 3)
        let hd = d / heads
        let split = qkv.reshaped([b, t, 3, heads, hd]).permuted([2, 0, 3, 1, 4])
        let (q, k, v) = (split.index(0), split.index(1), split.index(2))
        let p = q.matmul(k.transposed()).maskedSoftmax(scale: 1 / Float(hd).squareRoot(), causal: causal)
        return p.matmul(v).permuted([0, 2, 1, 3]).reshaped([b, t, d])
    }

    @Test func fusedAttentionEqualsComposition() {
        for causal in [true, false] {
            let qkv = awayFromZero([3, 7, 3 * 12], seed: 8)
            expectSame(valuesAndGradients([qkv]) { $0[0].selfAttention(heads: 3, causal: causal) },
                       valuesAndGradients([qkv]) { composedAttention($0[0], heads: 3, causal: causal) },
                       "attention (causal: \(causal))")
        }
    }

    @Test func fusedAttentionGradientMatchesFiniteDifferences() {
        // Width 8, 2 heads, context 4.
        expectGradientsMatch([awayFromZero([1, 4, 24], seed: 9)]) { $0[0].selfAttention(heads: 2) }
    }

    @Test func causalAttentionIgnoresLaterTokens() {
        let qkv = awayFromZero([1, 6, 24], seed: 10)
        var changed = qkv.scalars
        for i in (5 * 24)..<(6 * 24) { changed[i] += 1 }
        let y = qkv.selfAttention(heads: 2), z = Tensor(qkv.shape, changed).selfAttention(heads: 2)
        #expect(Array(y.scalars[..<(5 * 8)]) == Array(z.scalars[..<(5 * 8)]))
        #expect(y.scalars[(5 * 8)...] != z.scalars[(5 * 8)...])
    }

    @Test func resultsDoNotDependOnThreadCount() {
        let qkv = awayFromZero([4, 32, 3 * 64], seed: 12)
        let saved = Engine.threads
        defer { Engine.threads = saved }
        Engine.threads = 1
        let one = valuesAndGradients([qkv]) { $0[0].selfAttention(heads: 4) }
        Engine.threads = 2
        let two = valuesAndGradients([qkv]) { $0[0].selfAttention(heads: 4) }
        #expect(one == two)
    }
}

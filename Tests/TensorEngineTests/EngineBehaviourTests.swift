import Testing
import TensorEngine
import TestSupport

/// Value semantics, broadcasting shapes and the autodiff tape's bookkeeping.
@Suite struct EngineBehaviourTests {
    @Test func copyOnWrite() {
        let a = Tensor([3], [1, 2, 3])
        var b = a
        #expect(b.sharesStorage(with: a))
        b.withUnsafeMutableElements { $0[0] = 9 }
        #expect(a.scalars == [1, 2, 3])
        #expect(b.scalars == [9, 2, 3])
        #expect(!b.sharesStorage(with: a))
        // A uniquely held tensor is mutated in place.
        var c = Tensor([2], [1, 1])
        let before = c
        c = Tensor([2], [5, 5])
        c.addInPlace(Tensor(1))
        #expect(c.scalars == [6, 6] && before.scalars == [1, 1])
    }

    @Test func reshapeSharesStorageAndStillCopiesOnWrite() {
        let a = Tensor.arange(0, 6)
        var r = a.reshaped([2, 3])
        #expect(r.sharesStorage(with: a))
        #expect(r.reshaped([6]).sharesStorage(with: a))
        r.withUnsafeMutableElements { $0[5] = -1 }
        #expect(a.scalars == [0, 1, 2, 3, 4, 5])
        #expect(r[1, 2] == -1)
        // Copies, not views: slices and permutes do not share.
        #expect(!a.reshaped([2, 3]).transposed().sharesStorage(with: a))
        #expect(!a.slice(axis: 0, 1..<3).sharesStorage(with: a))
    }

    @Test func broadcastingShapesFollowNumPy() {
        let cases: [([Int], [Int], [Int])] = [
            ([2, 1, 3], [4, 1], [2, 4, 3]), ([3], [2, 3], [2, 3]), ([], [2, 2], [2, 2]), ([5, 1], [1, 6], [5, 6]),
            ([1], [3, 1, 1], [3, 1, 1]), ([2, 3], [2, 3], [2, 3]), ([0, 3], [1, 3], [0, 3]), ([4, 0], [1], [4, 0]),
            ([3, 0], [1, 0], [3, 0]), ([2, 0, 3], [0, 1], [2, 0, 3]),
        ]
        for (s, t, expected) in cases {
            #expect((Tensor.ones(s) + Tensor.ones(t)).shape == expected, "\(s) + \(t)")
            #expect((Tensor.ones(t) * Tensor.ones(s)).shape == expected, "\(t) * \(s)")
        }
        // Values: row [1, 2, 3] plus column [10, 20].
        let sum = Tensor([3], [1, 2, 3]) + Tensor([2, 1], [10, 20])
        #expect(sum.scalars == [11, 12, 13, 21, 22, 23])
        let inner = Tensor.arange(0, 6).reshaped([2, 1, 3]) - Tensor([2, 1], [1, 2])
        #expect(inner.shape == [2, 2, 3])
        #expect(inner.scalars == [-1, 0, 1, -2, -1, 0, 2, 3, 4, 1, 2, 3])
        #expect(Tensor([2, 3], [1, 2, 3, 4, 5, 6]).sumToShape([3]).scalars == [5, 7, 9])
        #expect(Tensor([2, 3], [1, 2, 3, 4, 5, 6]).sumToShape([2, 1]).scalars == [6, 15])
    }

    @Test func gradientsAccumulateUntilCleared() {
        let w = Tensor([2], [1, 2]).requiringGrad()
        (w * w).sum().backward()
        #expect(w.grad!.scalars == [2, 4])
        let first = w.grad!
        (w * 3).sum().backward()
        #expect(w.grad!.scalars == [5, 7])
        #expect(first.scalars == [2, 4], "a gradient read earlier is not changed by later accumulation")
        w.clearGrad()
        #expect(w.grad == nil)
        (w * 3).sum().backward()
        #expect(w.grad!.scalars == [3, 3])
    }

    @Test func noGradScopeRecordsNothing() {
        let w = Tensor([2], [1, 2]).requiringGrad()
        let y = withoutGradients { (w * w).exp().sum() }
        #expect(!y.requiresGrad)
        #expect(w.requiresGrad)
        let z = (w * 2).sum()
        #expect(z.requiresGrad)
        // Recording resumes outside the scope.
        z.backward()
        #expect(w.grad!.scalars == [2, 2])
    }

    @Test func detachedCutsTheGraph() {
        let x = Tensor([2], [3, 4]).requiringGrad()
        let frozen = (x * x).detached()
        #expect(!frozen.requiresGrad)
        (frozen * x).sum().backward()
        // d/dx (c·x) with c = x² held constant is c, not 3x².
        #expect(x.grad!.scalars == [9, 16])
    }

    @Test func gradientWithRespectToInputs() {
        let w = Tensor([2, 3], [1, -1, 2, 0, 3, 1])
        let input = Tensor([1, 3], [0.5, 1, -2]).requiringGrad()
        let loss = input.linear(weight: w).squared().sum()
        loss.backward()
        // y = x·Wᵀ = [-4.5, 1]; dL/dx = 2y·W = [-9·1 + 2·0, -9·-1 + 2·3, -9·2 + 2·1]
        #expect(input.grad!.scalars == [-9, 15, -16])
        #expect(w.grad == nil && !w.requiresGrad)
        // The functional form leaves no trace on its argument.
        let g = gradient(of: { $0.linear(weight: w).squared().sum() }, at: input.detached())
        #expect(g.scalars == [-9, 15, -16])
        let (value, _) = valueWithGradient(of: { $0.sum() }, at: Tensor([2], [1, 2]))
        #expect(value.item == 3)
    }
}

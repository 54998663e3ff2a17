import Testing
import TensorEngine
import TestSupport

/// Values of the non-differentiable ordering, selection and counting ops.
@Suite struct SelectionTests {
    /// [[3, 1, 3], [-2, 5, 0]]
    let t = Tensor([2, 3], [3, 1, 3, -2, 5, 0])

    @Test func argmaxArgmin() {
        #expect(t.argmax(axis: 1).scalars == [0, 1])  // first of the tied 3s
        #expect(t.argmin(axis: 1).scalars == [1, 0])
        #expect(t.argmax(axis: 0).scalars == [0, 1, 0])
        #expect(t.argmax(axis: -1, keepingDims: true).shape == [2, 1])
        #expect(t.argmax().shape == [])
        #expect(t.argmax().item == 4)
        #expect(t.argmin().item == 3)
        #expect(t.argmax(keepingDims: true).shape == [1, 1])
        #expect(Tensor([3], [1, .nan, 2]).argmax().item == 1)
        #expect(!t.argmax(axis: 1).requiresGrad && !t.requiringGrad().argmax().requiresGrad)
    }

    @Test func sortIsStableInBothDirections() {
        let x = Tensor([6], [2, 1, 2, 0, 1, 2])
        let up = x.sorted()
        #expect(up.values.scalars == [0, 1, 1, 2, 2, 2])
        #expect(up.indices.scalars == [3, 1, 4, 0, 2, 5])
        let down = x.sorted(descending: true)
        #expect(down.values.scalars == [2, 2, 2, 1, 1, 0])
        #expect(down.indices.scalars == [0, 2, 5, 1, 4, 3])
        let n = Tensor([4], [1, .nan, -1, 0]).sorted()
        #expect(Array(n.values.scalars.prefix(3)) == [-1, 0, 1] && n.values.scalars[3].isNaN)
        #expect(n.indices.scalars == [2, 3, 0, 1])
    }

    @Test func sortAlongFirstAxis() {
        let s = t.sorted(axis: 0)
        #expect(s.values.scalars == [-2, 1, 0, 3, 5, 3])
        #expect(s.indices.scalars == [1, 0, 1, 0, 1, 0])
    }

    @Test func sortMatchesSwiftSortOnRandomRows() {
        var rng = RandomGenerator(seed: 70)
        let x = Tensor.integers([5, 40, 3], low: 0, high: 7, using: &rng)  // many ties
        let s = x.sorted(axis: 1)
        for o in 0..<5 {
            for j in 0..<3 {
                let line = (0..<40).map { x[o, $0, j] }
                let expected = line.indices.sorted { line[$0] < line[$1] || (line[$0] == line[$1] && $0 < $1) }
                #expect((0..<40).map { Int(s.indices[o, $0, j]) } == expected)
                #expect((0..<40).map { s.values[o, $0, j] } == expected.map { line[$0] })
            }
        }
    }

    @Test func topKLargestAndSmallest() {
        let x = Tensor([2, 5], [4, 9, 1, 9, 3, 0, -1, 7, 2, 7])
        let top = x.topK(2)
        #expect(top.values.shape == [2, 2])
        #expect(top.values.scalars == [9, 9, 7, 7])
        #expect(top.indices.scalars == [1, 3, 2, 4])
        let bottom = x.topK(3, largest: false)
        #expect(bottom.values.scalars == [1, 3, 4, -1, 0, 2])
        #expect(bottom.indices.scalars == [2, 4, 0, 1, 0, 3])
        let cols = x.topK(1, axis: 0)
        #expect(cols.values.scalars == [4, 9, 7, 9, 7])
        #expect(cols.indices.scalars == [0, 0, 1, 0, 1])
        #expect(x.topK(0).values.shape == [2, 0])
    }

    @Test func topKMatchesSortOnRandomRows() {
        var rng = RandomGenerator(seed: 71)
        let x = Tensor.integers([4, 300], low: -20, high: 20, using: &rng)
        let top = x.topK(17), sorted = x.sorted(descending: true)
        #expect(top.values.scalars == sorted.values.slice(axis: 1, 0..<17).scalars)
        #expect(top.indices.scalars == sorted.indices.slice(axis: 1, 0..<17).scalars)
    }

    @Test func kthValueAlongAxis() {
        let x = Tensor([2, 4], [5, 1, 4, 2, 0, 0, 3, -1])
        let k2 = x.kthValue(2)
        #expect(k2.values.scalars == [2, 0])
        #expect(k2.indices.scalars == [3, 0])
        #expect(x.kthValue(1).values.scalars == [1, -1])
        #expect(x.kthValue(4, keepingDims: true).values.shape == [2, 1])
        #expect(x.kthValue(4).values.scalars == [5, 3])
        #expect(x.kthValue(2, axis: 0).values.scalars == [5, 1, 4, 2])
    }

    @Test func globalKthAndThresholdMatchASortedCopy() {
        var rng = RandomGenerator(seed: 72)
        // Half exact zeros (pruned weights) and many repeated values: the worst case for a naive quickselect.
        let mags = Tensor.integers([1_000_000], low: 0, high: 1000, using: &rng)
        let x = mags * Tensor.bernoulli([1_000_000], p: 0.5, using: &rng)
        let sorted = x.scalars.sorted()
        for k in [1, 2, 500_000, 500_001, 777_777, 1_000_000] {
            #expect(x.kthSmallest(k) == sorted[k - 1], "k = \(k)")
        }
        #expect(x.topKThreshold(1000) == sorted[1_000_000 - 1000])
        #expect(x.topKThreshold(10, largest: false) == sorted[9])
        #expect(x.greaterEqual(Tensor(x.topKThreshold(1000))).sum().item >= 1000)
        // Already sorted input (median-of-three's easy case) and a descending one.
        let ramp = Tensor.arange(0, 100_000)
        #expect(ramp.kthSmallest(12_345) == 12_344)
        #expect((-ramp).topKThreshold(3) == -2)
    }

    @Test func globalSelectionAcrossTensors() {
        let a = Tensor([2, 2], [5, -1, 3, 8]), b = Tensor([3], [0, 7, 2])
        // Together: -1 0 2 3 5 7 8.
        #expect(Tensor.kthSmallest(3, in: [a, b]) == 2)
        #expect(Tensor.topKThreshold(2, in: [a, b]) == 7)
        #expect(Tensor.topKThreshold(1, in: [a, b], largest: false) == -1)
        #expect(Tensor([3], [1, .nan, 0]).kthSmallest(2) == 1)
    }

    @Test func bincountCountsAndSums() {
        let v = ints([6], [1, 3, 1, 0, 3, 3])
        #expect(v.bincount().scalars == [1, 2, 0, 3])
        #expect(v.bincount(minLength: 6).scalars == [1, 2, 0, 3, 0, 0])
        #expect(v.bincount(minLength: 2).scalars == [1, 2, 0, 3])
        let w = Tensor([6], [0.5, 1, 2, 4, 8, 16])
        #expect(v.bincount(weights: w).scalars == [4, 2.5, 0, 25])
        #expect(Tensor([0], []).bincount(minLength: 3).scalars == [0, 0, 0])
    }

    @Test func oneHotRows() {
        let h = ints([2, 2], [2, 0, 1, 2]).oneHot(classes: 3)
        #expect(h.shape == [2, 2, 3])
        #expect(h.scalars == [0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1])
        #expect(ints([3], [1, 1, 0]).oneHot(classes: 2).sum(axes: [0]).scalars == [1, 2])
    }
}

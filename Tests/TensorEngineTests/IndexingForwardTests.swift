import Testing
import TensorEngine
import TestSupport

/// Hand-computed values of the movement and indexing ops, forward and backward.
@Suite struct IndexingForwardTests {
    /// [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]
    let m = Tensor.arange(0, 12).reshaped([3, 4])

    @Test func sliceValues() {
        #expect(m.slice(axis: 1, 1..<3).shape == [3, 2])
        #expect(m.slice(axis: 1, 1..<3).scalars == [1, 2, 5, 6, 9, 10])
        #expect(m.slice(axis: 0, 2...).scalars == [8, 9, 10, 11])
        #expect(m.slice([1..<3, 2..<4]).scalars == [6, 7, 10, 11])
        #expect(m.slice([0..<2]).shape == [2, 4])
        #expect(m.slice(axis: 1, 2..<2).shape == [3, 0])
        #expect(m.index(1).scalars == [4, 5, 6, 7])
        #expect(m.index(-1, along: 1).scalars == [3, 7, 11])
        #expect(m.index(2, along: 1).shape == [3])
    }

    @Test func sliceGradientIsZeroOutside() {
        let g = gradient(of: { $0.slice([1..<2, 1..<3]).sum() }, at: m)
        #expect(g.scalars == [0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0])
    }

    @Test func padValues() {
        let p = Tensor([2, 2], [1, 2, 3, 4]).padded(by: [(1, 0), (0, 2)])
        #expect(p.shape == [3, 4])
        #expect(p.scalars == [0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0])
        #expect(Tensor([2], [1, 2]).padded(by: [(1, 1)], value: -1).scalars == [-1, 1, 2, -1])
    }

    @Test func concatenateAndStackValues() {
        let a = Tensor([2, 1], [1, 2]), b = Tensor([2, 2], [3, 4, 5, 6])
        let c = Tensor.concatenate([a, b], axis: 1)
        #expect(c.shape == [2, 3])
        #expect(c.scalars == [1, 3, 4, 2, 5, 6])
        #expect(Tensor.concatenate([b, b], axis: 0).scalars == [3, 4, 5, 6, 3, 4, 5, 6])
        let s0 = Tensor.stack([Tensor([2], [1, 2]), Tensor([2], [3, 4])])
        #expect(s0.shape == [2, 2])
        #expect(s0.scalars == [1, 2, 3, 4])
        let s1 = Tensor.stack([Tensor([2], [1, 2]), Tensor([2], [3, 4])], axis: 1)
        #expect(s1.scalars == [1, 3, 2, 4])
        #expect(Tensor.stack([Tensor(1), Tensor(2), Tensor(3)]).scalars == [1, 2, 3])
    }

    @Test func gatherValues() {
        // torch.gather(m, 1, [[3, 0], [1, 1], [2, 0]]) = [[3, 0], [5, 5], [10, 8]]
        let g1 = m.gather(axis: 1, indices: ints([3, 2], [3, 0, 1, 1, 2, 0]))
        #expect(g1.scalars == [3, 0, 5, 5, 10, 8])
        // torch.gather(m, 0, [[2, 0, 1]]) = [[8, 1, 6]]
        #expect(m.gather(axis: 0, indices: ints([1, 3], [2, 0, 1])).scalars == [8, 1, 6])
    }

    @Test func gatherGradientAccumulatesRepeats() {
        let idx = ints([3, 3], [0, 0, 0, 1, 3, 1, 2, 2, 2])
        let g = gradient(of: { $0.gather(axis: 1, indices: idx).sum() }, at: m)
        #expect(g.scalars == [3, 0, 0, 0, 0, 2, 0, 1, 0, 0, 3, 0])
    }

    @Test func indexSelectAndEmbeddingValues() {
        #expect(m.indexSelect(axis: 0, indices: ints([2], [2, 0])).scalars == [8, 9, 10, 11, 0, 1, 2, 3])
        #expect(m.indexSelect(axis: 1, indices: ints([3], [3, 3, 0])).scalars == [3, 3, 0, 7, 7, 4, 11, 11, 8])
        #expect(m.indexSelect(axis: 1, indices: Tensor(1)).shape == [3])
        #expect(m.rows([1, 1]).scalars == [4, 5, 6, 7, 4, 5, 6, 7])
        let table = Tensor([3, 2], [10, 11, 20, 21, 30, 31])
        let e = table.embedding(ints([2, 2], [2, 0, 2, 2]))
        #expect(e.shape == [2, 2, 2])
        #expect(e.scalars == [30, 31, 10, 11, 30, 31, 30, 31])
    }

    @Test func embeddingGradientSumsRepeatedIds() {
        let table = Tensor([3, 2], [10, 11, 20, 21, 30, 31])
        let ids = ints([4], [2, 0, 2, 2])
        let weights = Tensor([4, 2], [1, 2, 3, 4, 5, 6, 7, 8])
        let g = gradient(of: { ($0.embedding(ids) * weights).sum() }, at: table)
        // Row 2 gets rows 0, 2, 3 of the weights; row 0 gets row 1; row 1 nothing.
        #expect(g.scalars == [3, 4, 0, 0, 13, 16])
    }
}

import Testing
import TensorEngine
import TestSupport

/// CSR construction, graph normalisation and SpMM: values against dense arithmetic, gradients against finite
/// differences, and bit-identical results on one and two threads.
@Suite struct SparseOpTests {
    /// A 4×3 matrix with an empty row (2) and entries given out of order, one of them twice.
    func smallMatrix() -> SparseMatrix {
        SparseMatrix(rows: 4, cols: 3, rowIndices: [3, 0, 1, 0, 3, 3], colIndices: [2, 1, 0, 1, 0, 2],
                     values: [1, 2, 3, 4, 5, 6])
    }

    @Test func cooEntriesAreSortedAndDuplicatesSummed() {
        let a = smallMatrix()
        #expect(a.nnz == 4)
        #expect(a.pattern.rowIndex.segments == [0, 1, 3, 3])
        #expect(a.pattern.colIndex.segments == [1, 0, 0, 2])
        #expect(a.values.scalars == [6, 3, 5, 7])
        #expect(a.toDense().scalars == [0, 6, 0, 3, 0, 0, 0, 0, 0, 5, 0, 7])
        #expect(a.pattern.rowIndex.isSorted && !a.pattern.colIndex.isSorted)
        #expect(a.pattern.colIndex.itemCounts == [2, 1, 1])
    }

    @Test func adjacencyIsBinaryAndNormalisationsMatchTheirFormulas() {
        // Edges 0→1 (twice), 1→0, 1→2 on 4 nodes (node 3 isolated).
        let a = SparseMatrix.adjacency(nodes: 4, sources: [0, 0, 1, 1], destinations: [1, 1, 0, 2])
        #expect(a.toDense().scalars == [0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0])
        let loops = a.addingSelfLoops()
        #expect(loops.rowSums() == [2, 2, 2, 1])
        let dense = loops.toDense(), d = loops.rowSums()
        let n = loops.symmetricallyNormalized().toDense().scalars
        for i in 0..<4 {
            for j in 0..<4 {
                #expect(Swift.abs(n[i * 4 + j] - dense[i, j] / (d[i] * d[j]).squareRoot()) < 1e-6)
            }
        }
        let mean = a.rowNormalized()
        #expect(mean.rowSums() == [1, 1, 1, 0])
        #expect(a.transposed().toDense().scalars == a.toDense().transposed().scalars)
    }

    @Test func spmmMatchesTheDenseProduct() {
        let a = smallMatrix()
        let x = awayFromZero([3, 5], seed: 1)
        expectClose(a.matmul(x).scalars, a.toDense().matmul(x).scalars, tolerance: 1e-6, "spmm")
        // A rank-1 dense operand and a higher-rank one are rows of width 1 and 2·2.
        let v = awayFromZero([3], seed: 2)
        expectClose(a.matmul(v).scalars, a.toDense().matmul(v.reshaped([3, 1])).scalars, tolerance: 1e-6, "spmv")
        #expect(a.matmul(awayFromZero([3, 2, 2], seed: 3)).shape == [4, 2, 2])
    }

    @Test func spmmGradientsMatchFiniteDifferences() {
        let a = smallMatrix()
        expectGradientsMatch([a.values, awayFromZero([3, 5], seed: 4)]) {
            SparseMatrix(pattern: a.pattern, values: $0[0]).matmul($0[1])
        }
    }

    @Test func transposeGradientReachesTheOriginalValues() {
        let a = smallMatrix()
        expectGradientsMatch([a.values, awayFromZero([4, 3], seed: 5)]) {
            SparseMatrix(pattern: a.pattern, values: $0[0]).transposed().matmul($0[1])
        }
    }

    @Test func spmmEqualsGatherScaleScatter() {
        let a = randomGraph(nodes: 50, edges: 300, seed: 6)
        let x = awayFromZero([50, 7], seed: 7)
        let composed = (x.gatherRows(at: a.pattern.colIndex) * a.values.reshaped([-1, 1])).segmentSum(by: a.pattern.rowIndex)
        expectClose(a.matmul(x).scalars, composed.scalars, tolerance: 1e-5, "spmm vs gather/scatter")
    }

    @Test func resultsDoNotDependOnThreadCount() {
        let a = randomGraph(nodes: 3000, edges: 40000, seed: 8)
        let x = awayFromZero([3000, 32], seed: 9)
        func run() -> [[Float]] {
            let v = a.values.requiringGrad(), h = x.requiringGrad()
            let y = SparseMatrix(pattern: a.pattern, values: v).matmul(h)
            let m = h.gatherRows(at: a.pattern.colIndex).segmentMax(by: a.pattern.rowIndex)
            ((y * y).sum() + m.sum()).backward()
            return [y.scalars, m.scalars, v.grad!.scalars, h.grad!.scalars]
        }
        let saved = Engine.threads
        defer { Engine.threads = saved }
        Engine.threads = 1
        let one = run()
        Engine.threads = 2
        let two = run()
        for (i, (p, q)) in zip(one, two).enumerated() { #expect(p == q, "result \(i) differs between thread counts") }
    }
}

/// A random directed graph with `edges` edges (repeats merged) and values in ±[0.1, 1.5).
func randomGraph(nodes: Int, edges: Int, seed: UInt64) -> SparseMatrix {
    var rng = RandomGenerator(seed: seed)
    let ends = Tensor.integers([2, edges], low: 0, high: nodes, using: &rng).scalars.map { Int($0) }
    let a = SparseMatrix.adjacency(nodes: nodes, sources: Array(ends[..<edges]), destinations: Array(ends[edges...]))
    return a.withValues(awayFromZero([a.nnz], seed: seed + 1))
}

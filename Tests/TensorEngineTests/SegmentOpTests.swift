import Testing
import TensorEngine
import TestSupport

/// Gather of node rows onto edges and the segment (scatter) reductions back onto nodes.
@Suite struct SegmentOpTests {
    /// 6 items onto 4 segments, unsorted, segment 2 empty.
    let index = SegmentIndex([3, 0, 1, 0, 3, 3], segmentCount: 4)

    @Test func indexGroupsItemsBySegment() {
        #expect(index.count == 6 && index.segmentCount == 4 && !index.isSorted)
        #expect(index.itemCounts == [2, 1, 0, 3])
        #expect(SegmentIndex([0, 0, 2], segmentCount: 3).isSorted)
    }

    @Test func valuesOfGatherAndSegmentReductions() {
        let nodes = Tensor([4, 2], [0, 1, 10, 11, 20, 21, 30, 31])
        #expect(nodes.gatherRows(at: index).scalars == [30, 31, 0, 1, 10, 11, 0, 1, 30, 31, 30, 31])
        let items = Tensor([6, 2], [1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6])
        #expect(items.segmentSum(by: index).scalars == [6, -6, 3, -3, 0, 0, 12, -12])
        #expect(items.segmentMean(by: index).scalars == [3, -3, 3, -3, 0, 0, 4, -4])
        #expect(items.segmentMax(by: index).scalars == [4, -2, 3, -3, 0, 0, 6, -1])
    }

    @Test func gradientsMatchFiniteDifferences() {
        let nodes = awayFromZero([4, 3], seed: 1), items = awayFromZero([6, 3], seed: 2)
        expectGradientsMatch([nodes]) { $0[0].gatherRows(at: index) }
        expectGradientsMatch([items]) { $0[0].segmentSum(by: index) }
        expectGradientsMatch([items]) { $0[0].segmentMean(by: index) }
        // Distinct values, so the finite-difference step never changes which item is the maximum.
        let distinct = Tensor([6, 3], (0..<18).map { Float(($0 * 7) % 18) * 0.1 - 0.85 })
        expectGradientsMatch([distinct], step: 1e-3) { $0[0].segmentMax(by: index) }
    }

    @Test func maxGradientGoesToTheFirstOfTiedItems() {
        let tied = Tensor([6, 1], [1, 1, 1, 1, 1, 1]).requiringGrad()
        tied.segmentMax(by: index).sum().backward()
        // Segment 3 holds items 0, 4, 5; segment 0 items 1, 3; segment 1 item 2.
        #expect(tied.grad!.scalars == [1, 1, 1, 0, 0, 0])
    }

    @Test func gatherThenSegmentMeanIsNeighbourMean() {
        let a = randomGraph(nodes: 30, edges: 120, seed: 3)
        let x = awayFromZero([30, 4], seed: 4)
        let viaSegments = x.gatherRows(at: a.pattern.colIndex).segmentMean(by: a.pattern.rowIndex)
        let viaSpmm = a.withValues(Tensor.ones([a.nnz])).rowNormalized().matmul(x)
        expectClose(viaSegments.scalars, viaSpmm.scalars, tolerance: 1e-5, "segment mean vs D⁻¹A·X")
    }
}

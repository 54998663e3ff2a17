import Testing
import TensorEngine
import TestSupport

/// Central-difference checks of the movement and indexing ops.
@Suite struct MovementGradientTests {
    let x = awayFromZero([2, 3, 4], seed: 50)

    @Test func reshapeFamily() {
        expectGradientsMatch([x]) { $0[0].reshaped([6, 4]) }
        expectGradientsMatch([x]) { $0[0].reshaped([4, -1]) }
        expectGradientsMatch([x]) { $0[0].flattened() }
        expectGradientsMatch([x]) { $0[0].expandingDims(at: 1) }
        expectGradientsMatch([x]) { $0[0].expandingDims(at: -1) }
        let y = awayFromZero([2, 1, 3, 1], seed: 51)
        expectGradientsMatch([y]) { $0[0].squeezed() }
        expectGradientsMatch([y]) { $0[0].squeezed(at: 1) }
        expectGradientsMatch([y]) { $0[0].squeezed(at: -1) }
    }

    @Test func permuteAndTranspose() {
        expectGradientsMatch([x]) { $0[0].permuted([2, 0, 1]) }
        expectGradientsMatch([x]) { $0[0].permuted([1, 2, 0]) }
        expectGradientsMatch([x]) { $0[0].transposed() }
        expectGradientsMatch([x]) { $0[0].transposed(0, 2) }
    }

    @Test func broadcastTo() {
        expectGradientsMatch([awayFromZero([3, 1], seed: 52)]) { $0[0].broadcast(to: [2, 3, 4]) }
        expectGradientsMatch([awayFromZero([4], seed: 53)]) { $0[0].broadcast(to: [2, 3, 4]) }
        expectGradientsMatch([awayFromZero([1, 3, 1], seed: 54)]) { $0[0].broadcast(to: [2, 3, 4]) }
        expectGradientsMatch([Tensor(0.3)]) { $0[0].broadcast(to: [2, 2]) }
    }

    @Test func slicing() {
        expectGradientsMatch([x]) { $0[0].slice(axis: 0, 1..<2) }
        expectGradientsMatch([x]) { $0[0].slice(axis: 1, 1...) }
        expectGradientsMatch([x]) { $0[0].slice(axis: -1, ..<3) }
        expectGradientsMatch([x]) { $0[0].slice(axis: 2, 1...2) }
        expectGradientsMatch([x]) { $0[0].slice([0..<2, 1..<3]) }
        expectGradientsMatch([x]) { $0[0].slice([1..<2, 0..<3, 2..<4]) }
        expectGradientsMatch([x]) { $0[0].index(1, along: 1) }
        expectGradientsMatch([x]) { $0[0].index(-1, along: 2) }
        expectGradientsMatch([x]) { $0[0].index(0) }
        // Overlapping slices of one input add their gradients.
        expectGradientsMatch([x]) { $0[0].slice(axis: 2, 0..<3) * $0[0].slice(axis: 2, 1..<4) }
    }

    @Test func padding() {
        expectGradientsMatch([x]) { $0[0].padded(by: [(0, 0), (1, 2), (2, 1)]) }
        expectGradientsMatch([x]) { $0[0].padded(by: [(1, 0), (0, 0), (0, 3)], value: 0.5) }
    }

    @Test func concatenateAndStack() {
        let a = awayFromZero([2, 1, 4], seed: 55), b = awayFromZero([2, 3, 4], seed: 56)
        let c = awayFromZero([2, 2, 4], seed: 57)
        expectGradientsMatch([a, b, c]) { Tensor.concatenate($0, axis: 1) }
        expectGradientsMatch([x, x]) { Tensor.concatenate($0, axis: 0) }
        expectGradientsMatch([x, awayFromZero([2, 3, 1], seed: 58)]) { Tensor.concatenate($0, axis: -1) }
        // The same tensor twice sums both slabs' gradients.
        expectGradientsMatch([x]) { Tensor.concatenate([$0[0], $0[0] * 2], axis: 2) }
        for axis in [0, 1, 2, 3, -1] {
            expectGradientsMatch([x, b, x * 0.5]) { Tensor.stack($0, axis: axis) }
        }
    }

    @Test func gather() {
        let m = awayFromZero([3, 4], seed: 59)
        // torch.gather along 1 with repeated indices and fewer columns than the input.
        let cols = ints([3, 2], [3, 3, 0, 1, 2, 2])
        expectGradientsMatch([m]) { $0[0].gather(axis: 1, indices: cols) }
        // Along 0, with an index smaller than the input off the axis.
        let rows = ints([4, 3], [2, 0, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1])
        expectGradientsMatch([m]) { $0[0].gather(axis: 0, indices: rows) }
        let small = ints([2, 2], [1, 1, 2, 0])
        expectGradientsMatch([m]) { $0[0].gather(axis: 0, indices: small) }
        // Middle axis of a rank-3 tensor.
        let mid = ints([2, 5, 4], (0..<40).map { ($0 * 7) % 3 })
        expectGradientsMatch([x]) { $0[0].gather(axis: 1, indices: mid) }
    }

    @Test func indexSelectAndEmbedding() {
        let ids = ints([5], [2, 0, 2, 2, 1])
        expectGradientsMatch([x]) { $0[0].indexSelect(axis: 1, indices: ids) }
        expectGradientsMatch([x]) { $0[0].indexSelect(axis: 2, indices: ints([2, 2], [3, 0, 3, 3])) }
        expectGradientsMatch([x]) { $0[0].indexSelect(axis: 0, indices: ints([3], [1, 1, 0])) }
        expectGradientsMatch([x]) { $0[0].indexSelect(axis: -1, indices: Tensor(2)) }
        expectGradientsMatch([x]) { $0[0].rows([1, 0, 1]) }
        let table = awayFromZero([6, 3], seed: 60)
        let tokens = ints([2, 4], [5, 1, 1, 0, 1, 5, 3, 1])
        expectGradientsMatch([table]) { $0[0].embedding(tokens) }
    }
}

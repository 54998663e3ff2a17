import Testing
import TensorEngine
import TestSupport

@Suite struct CoreGradientTests {
    @Test func binaryOpsWithBroadcasting() {
        let a = awayFromZero([2, 3, 4], seed: 1), b = awayFromZero([3, 1], seed: 2), c = awayFromZero([4], seed: 3)
        expectGradientsMatch([a, b]) { $0[0] + $0[1] }
        expectGradientsMatch([a, b]) { $0[0] - $0[1] }
        expectGradientsMatch([a, c]) { $0[0] * $0[1] }
        expectGradientsMatch([a, b]) { $0[0] / $0[1] }
        // Operands kept apart (|a| ≥ 0.1 > 0.05) so finite differences never straddle the kink at a = c.
        let apart = Tensor([4], [0.05, -0.05, 2, -2])
        expectGradientsMatch([a, apart]) { Tensor.maximum($0[0], $0[1]) }
        expectGradientsMatch([a, apart]) { Tensor.minimum($0[0], $0[1]) }
    }

    @Test func matmulAndLinear() {
        let a = awayFromZero([3, 4], seed: 4), b = awayFromZero([4, 5], seed: 5)
        expectGradientsMatch([a, b]) { $0[0].matmul($0[1]) }
        let ba = awayFromZero([2, 3, 4], seed: 6), bb = awayFromZero([2, 4, 2], seed: 7)
        expectGradientsMatch([ba, bb]) { $0[0].matmul($0[1]) }
        expectGradientsMatch([ba, b]) { $0[0].matmul($0[1]) }
        let w = awayFromZero([5, 4], seed: 8), bias = awayFromZero([5], seed: 9)
        expectGradientsMatch([a, w, bias]) { $0[0].linear(weight: $0[1], bias: $0[2]) }
    }

    @Test func reductionsAndSoftmax() {
        let x = awayFromZero([2, 3, 4], seed: 10)
        expectGradientsMatch([x]) { $0[0].sum(axes: [1]) }
        expectGradientsMatch([x]) { $0[0].mean(axes: [0, 2], keepingDims: true) }
        expectGradientsMatch([x]) { $0[0].variance(axes: [2]) }
        expectGradientsMatch([x]) { $0[0].max(axes: [1]) }
        expectGradientsMatch([x]) { $0[0].softmax(axis: 1) }
        expectGradientsMatch([x]) { $0[0].logSoftmax(axis: -1) }
    }

    @Test func usedTwiceSumsBothGradients() {
        let x = Tensor([3], [1, 2, 3]).requiringGrad()
        (x * x + x).sum().backward()
        #expect(x.grad!.scalars == [3, 5, 7])
    }
}

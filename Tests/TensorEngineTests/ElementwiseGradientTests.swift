import Testing
import TensorEngine
import TestSupport

/// Central-difference checks of every element-wise op, with broadcasting and size-1 dimensions.
@Suite struct ElementwiseGradientTests {
    let a = awayFromZero([2, 3, 4], seed: 1)
    let col = awayFromZero([3, 1], seed: 2)
    let row = awayFromZero([4], seed: 3)
    let mid = awayFromZero([1, 3, 1], seed: 4)
    let scalar = Tensor(0.7)

    @Test func addSubtractWithBroadcasting() {
        for other in [a, col, row, mid, scalar] {
            expectGradientsMatch([a, other]) { $0[0] + $0[1] }
            expectGradientsMatch([other, a]) { $0[0] + $0[1] }
            expectGradientsMatch([a, other]) { $0[0] - $0[1] }
            expectGradientsMatch([other, a]) { $0[0] - $0[1] }
        }
        // Two operands that both broadcast: [3, 1] with [4] gives [3, 4].
        expectGradientsMatch([col, row]) { $0[0] + $0[1] }
        expectGradientsMatch([col, row]) { $0[0] - $0[1] }
    }

    @Test func multiplyDivideWithBroadcasting() {
        for other in [a, col, row, mid, scalar] {
            expectGradientsMatch([a, other]) { $0[0] * $0[1] }
            expectGradientsMatch([other, a]) { $0[0] * $0[1] }
            expectGradientsMatch([a, other]) { $0[0] / $0[1] }
            expectGradientsMatch([other, a]) { $0[0] / $0[1] }
        }
        expectGradientsMatch([col, row]) { $0[0] * $0[1] }
        expectGradientsMatch([col, row]) { $0[0] / $0[1] }
        // Scalar operands on either side.
        expectGradientsMatch([a]) { 2 - $0[0] * 3 + 1 }
        expectGradientsMatch([a]) { 1.5 / $0[0] + $0[0] / 4 }
    }

    @Test func negateAndSquare() {
        expectGradientsMatch([a]) { -$0[0] }
        expectGradientsMatch([a]) { $0[0].squared() }
    }

    @Test func transcendental() {
        let p = positive([2, 3, 4], seed: 5)
        expectGradientsMatch([a]) { $0[0].exp() }
        expectGradientsMatch([p]) { $0[0].log() }
        expectGradientsMatch([p]) { $0[0].sqrt() }
        expectGradientsMatch([a]) { $0[0].abs() }
    }

    @Test func powerWithTensorExponent() {
        let base = positive([2, 3], seed: 6), exponent = awayFromZero([2, 3], seed: 7)
        expectGradientsMatch([base, exponent]) { $0[0].pow($0[1]) }
        // Broadcast exponent [3] and broadcast base [3, 1].
        let e3 = awayFromZero([3], seed: 8)
        expectGradientsMatch([base, e3]) { $0[0].pow($0[1]) }
        let b31 = positive([3, 1], seed: 9)
        expectGradientsMatch([b31, e3]) { $0[0].pow($0[1]) }
    }

    @Test func powerWithScalarExponent() {
        let p = positive([2, 3], seed: 10)
        for e: Float in [2, 3, 0.5, -1.5, 1] { expectGradientsMatch([p]) { $0[0].pow(e) } }
        // Integer exponents work for negative bases too.
        expectGradientsMatch([a]) { $0[0].pow(2) }
        expectGradientsMatch([a]) { $0[0].pow(3) }
    }

    @Test func clamp() {
        // Every value at least 0.2 from both bounds, some inside and some clamped on each side.
        let x = Tensor([2, 4], [-2, -0.5, 0.3, 0.8, 1.7, 3, -1.3, 0])
        expectGradientsMatch([x]) { $0[0].clamped(min: -1, max: 1) }
        expectGradientsMatch([x]) { $0[0].clamped(min: 0.1) }
        expectGradientsMatch([x]) { $0[0].clamped(max: 0.5) }
    }

    @Test func maximumMinimumWithBroadcasting() {
        // spread values sit at 0.05 + 0.11·k; y sits halfway between them, so no pair is within the step.
        let x = spread([2, 3, 4], seed: 11), y = Tensor([3, 1], [-0.335, 0.435, 0.985])
        expectGradientsMatch([x, y]) { Tensor.maximum($0[0], $0[1]) }
        expectGradientsMatch([x, y]) { Tensor.minimum($0[0], $0[1]) }
        expectGradientsMatch([y, x]) { Tensor.maximum($0[0], $0[1]) }
    }

    @Test func selectWithBroadcasting() {
        let mask = Tensor([3, 1], [1, 0, 1])
        expectGradientsMatch([a, row]) { Tensor.select(mask, $0[0], $0[1]) }
        expectGradientsMatch([col, row]) { Tensor.select(Tensor([4], [0, 1, 1, 0]), $0[0], $0[1]) }
        expectGradientsMatch([a, scalar]) { Tensor.select(a.greater(0), $0[0], $0[1]) }
    }

    @Test func activations() {
        expectGradientsMatch([a]) { $0[0].relu() }
        expectGradientsMatch([a]) { $0[0].leakyRelu() }
        expectGradientsMatch([a]) { $0[0].leakyRelu(slope: 0.2) }
        expectGradientsMatch([a]) { $0[0].gelu() }
        expectGradientsMatch([a]) { $0[0].gelu(approximateTanh: true) }
        expectGradientsMatch([a]) { $0[0].sigmoid() }
        expectGradientsMatch([a]) { $0[0].tanh() }
        expectGradientsMatch([a]) { $0[0].softplus() }
        // Far into the tails, where the stable forms matter.
        let wide = Tensor([6], [-30, -8, -3, 3, 8, 30])
        expectGradientsMatch([wide]) { $0[0].sigmoid() }
        expectGradientsMatch([wide]) { $0[0].softplus() }
        expectGradientsMatch([wide]) { $0[0].tanh() }
    }
}

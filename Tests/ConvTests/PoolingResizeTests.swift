import Testing
import TensorEngine
import TestSupport

@Suite struct PoolingResizeTests {
    /// Distinct values 0.05 apart in random order: finite-difference steps never change which element is largest.
    static func distinct(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = RandomGenerator(seed: seed)
        let n = shape.reduce(1, *)
        return Tensor(shape, rng.permutation(n).map { Float($0) * 0.05 - Float(n) * 0.025 })
    }

    @Test func maxPoolForwardAndGradient() {
        let x = Tensor([1, 1, 4, 4], (0..<16).map(Float.init))
        #expect(x.maxPool2d(kernel: 2).scalars == [5, 7, 13, 15])
        // Padding never wins, even against negative inputs.
        #expect((-x).maxPool2d(kernel: 3, stride: 2, padding: 1).scalars == [0, -1, -4, -5])
        let d = Self.distinct([2, 3, 5, 6], seed: 1)
        expectGradientsMatch([d]) { $0[0].maxPool2d(kernel: 2) }
        expectGradientsMatch([d]) { $0[0].maxPool2d(kernel: 3, stride: 2, padding: 1) }
        expectGradientsMatch([d]) { $0[0].maxPool2d(kernel: (3, 2), stride: (1, 2), padding: (1, 0)) }
    }

    @Test func maxPoolPropagatesNaN() {
        let x = Tensor([1, 1, 2, 2], [1, .nan, 3, 2])
        #expect(x.maxPool2d(kernel: 2).item.isNaN)
    }

    @Test func avgPoolForwardAndGradient() {
        let x = Tensor([1, 1, 2, 2], [1, 2, 3, 4])
        #expect(x.avgPool2d(kernel: 2).scalars == [2.5])
        // Corner window of a padded 3×3 pool covers 4 inputs of 9 slots.
        #expect(x.avgPool2d(kernel: 3, stride: 1, padding: 1).scalars[0] == Float(10) / 9)
        #expect(x.avgPool2d(kernel: 3, stride: 1, padding: 1, countPadding: false).scalars[0] == 2.5)
        let a = awayFromZero([2, 2, 5, 6], seed: 2)
        expectGradientsMatch([a]) { $0[0].avgPool2d(kernel: 2) }
        expectGradientsMatch([a]) { $0[0].avgPool2d(kernel: 3, stride: 2, padding: 1) }
        expectGradientsMatch([a]) { $0[0].avgPool2d(kernel: 3, stride: 2, padding: 1, countPadding: false) }
        expectGradientsMatch([a]) { $0[0].globalAvgPool2d() }
        #expect(x.globalAvgPool2d().shape == [1, 1])
    }

    @Test func resizeForwardAndGradient() {
        let x = Tensor([1, 1, 2, 2], [1, 2, 3, 4])
        #expect(x.resized(height: 4, width: 4, mode: .nearest).scalars
                    == [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])
        // align_corners = false: output pixel 0 of a 2× upsample sits at source −0.25, clamped to 0.
        #expect(x.resized(height: 1, width: 4, mode: .bilinear).scalars == [2, 2.25, 2.75, 3])
        let a = awayFromZero([2, 2, 5, 4], seed: 3)
        for mode in [ResizeMode.nearest, .bilinear] {
            expectGradientsMatch([a]) { $0[0].resized(height: 8, width: 7, mode: mode) }
            expectGradientsMatch([a]) { $0[0].resized(height: 3, width: 3, mode: mode) }
        }
    }
}

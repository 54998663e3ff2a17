import Testing
import TensorEngine
import TestSupport

/// Kiln's own kernels split work so that every output (and every sum) is computed in the same order whatever the
/// thread count: results with one and two threads must be bit-identical. Shapes are large enough for the
/// kernels to actually split.
@Suite struct ThreadCountTests {
    @Test func resultsDoNotDependOnThreadCount() {
        let image = awayFromZero([2, 128, 16, 16], seed: 1)
        let depthwise = awayFromZero([128, 1, 7, 7], seed: 2), bias = awayFromZero([128], seed: 3)
        let rows = awayFromZero([1024, 64], seed: 4), rowWeight = awayFromZero([64], seed: 5)

        func everything() -> [[Float]] {
            var out: [[Float]] = []
            func values(_ inputs: [Tensor], _ f: ([Tensor]) -> Tensor) {
                let leaves = inputs.map { $0.requiringGrad() }
                let y = f(leaves)
                (y * y).sum().backward()
                out.append(y.scalars)
                out += leaves.map { $0.grad!.scalars }
            }
            values([image, depthwise, bias]) {
                $0[0].conv2d(weight: $0[1], bias: $0[2], options: Conv2DOptions(padding: 3, groups: 128),
                             algorithm: .depthwiseDirect)
            }
            values([image]) { $0[0].maxPool2d(kernel: 3, stride: 2, padding: 1) }
            values([image]) { $0[0].avgPool2d(kernel: 3, stride: 2, padding: 1) }
            values([image]) { $0[0].resized(height: 32, width: 24, mode: .bilinear) }
            values([image, bias, bias]) {
                var s = BatchNormStatistics(channels: 128)
                return $0[0].batchNorm(weight: $0[1], bias: $0[2], statistics: &s, mode: .train)
            }
            values([rows, rowWeight, rowWeight]) { $0[0].layerNorm(weight: $0[1], bias: $0[2]) }
            values([rows, rowWeight]) { $0[0].rmsNorm(weight: $0[1]) }
            return out
        }

        let saved = Engine.threads
        defer { Engine.threads = saved }
        Engine.threads = 1
        let one = everything()
        Engine.threads = 2
        let two = everything()
        #expect(one.count == two.count)
        for (i, (a, b)) in zip(one, two).enumerated() {
            #expect(a == b, "result \(i) differs between one and two threads")
        }
    }
}

import Testing
import TensorEngine

/// Shape mistakes stop the process with a message naming the op and the shapes (exit tests run in a child).
@Suite struct PreconditionTests {
    @Test func mismatchedShapesStop() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([1, 3, 5, 5]).conv2d(weight: .zeros([4, 2, 3, 3]))
        }
        #if DEBUG  // optimised builds trap without the message
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("conv2d: input [1, 3, 5, 5], weight [4, 2, 3, 3]"), "message: \(message)")
        #else
        _ = result
        #endif
        await #expect(processExitsWith: .failure) {
            _ = Tensor.zeros([1, 4, 5, 5]).conv2d(weight: .zeros([4, 2, 3, 3]), groups: 3)
        }
        await #expect(processExitsWith: .failure) {
            _ = Tensor.zeros([1, 3, 2, 2]).conv2d(weight: .zeros([4, 3, 5, 5]))
        }
        await #expect(processExitsWith: .failure) {
            var s = BatchNormStatistics(channels: 3)
            _ = Tensor.zeros([2, 4, 2, 2]).batchNorm(weight: nil, bias: nil, statistics: &s, mode: .train)
        }
        await #expect(processExitsWith: .failure) {
            _ = Tensor.zeros([1, 1, 4, 4]).maxPool2d(kernel: 2, padding: 2)
        }
        await #expect(processExitsWith: .failure) {
            _ = Tensor.zeros([2, 6]).layerNorm(weight: .ones([5]))
        }
    }
}

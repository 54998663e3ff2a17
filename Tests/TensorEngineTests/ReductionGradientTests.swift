import Testing
import TensorEngine
import TestSupport

/// Central-difference checks of the reductions and softmaxes along different axes, keeping dims both ways.
@Suite struct ReductionGradientTests {
    let x = spread([2, 3, 4], seed: 20)
    let axesCases: [[Int]?] = [nil, [0], [1], [2], [-1], [0, 2], [1, 2], [0, 1, 2]]

    @Test func sumAndMean() {
        for axes in axesCases {
            for keep in [false, true] {
                expectGradientsMatch([x]) { $0[0].sum(axes: axes, keepingDims: keep) }
                expectGradientsMatch([x]) { $0[0].mean(axes: axes, keepingDims: keep) }
            }
        }
    }

    @Test func maxAndMin() {
        for axes in axesCases {
            for keep in [false, true] {
                expectGradientsMatch([x]) { $0[0].max(axes: axes, keepingDims: keep) }
                expectGradientsMatch([x]) { $0[0].min(axes: axes, keepingDims: keep) }
            }
        }
    }

    @Test func variance() {
        for axes in axesCases {
            for keep in [false, true] {
                expectGradientsMatch([x]) { $0[0].variance(axes: axes, keepingDims: keep) }
            }
        }
        expectGradientsMatch([x]) { $0[0].variance(axes: [1], unbiased: true) }
    }

    @Test func reductionsOverSizeOneAxes() {
        let y = spread([3, 1, 2], seed: 21)
        expectGradientsMatch([y]) { $0[0].sum(axes: [1]) }
        expectGradientsMatch([y]) { $0[0].max(axes: [1], keepingDims: true) }
        expectGradientsMatch([y]) { $0[0].mean(axes: [0, 1]) }
    }

    @Test func softmaxAndLogSoftmaxAlongEveryAxis() {
        for axis in [0, 1, 2, -1, -2] {
            expectGradientsMatch([x]) { $0[0].softmax(axis: axis) }
            expectGradientsMatch([x]) { $0[0].logSoftmax(axis: axis) }
        }
        let logits = spread([5, 3], seed: 22, scale: 3)
        expectGradientsMatch([logits]) { $0[0].softmax(axis: 1) }
        expectGradientsMatch([logits]) { $0[0].logSoftmax(axis: 0) }
    }
}

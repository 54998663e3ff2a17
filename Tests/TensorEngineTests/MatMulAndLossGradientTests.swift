import Foundation
import Testing
import TensorEngine
import TestSupport

/// Central-difference checks of matmul, linear and the losses, and loss values against direct formulas.
@Suite struct MatMulAndLossGradientTests {
    @Test func matmul() {
        let a = awayFromZero([3, 4], seed: 30), b = awayFromZero([4, 5], seed: 31)
        expectGradientsMatch([a, b]) { $0[0].matmul($0[1]) }
        let ba = awayFromZero([2, 3, 4], seed: 32), bb = awayFromZero([2, 4, 2], seed: 33)
        expectGradientsMatch([ba, bb]) { $0[0].matmul($0[1]) }
        // Shared right operand: [2, 2, 3, 4] · [4, 5].
        let b4 = awayFromZero([2, 2, 3, 4], seed: 34)
        expectGradientsMatch([b4, b]) { $0[0].matmul($0[1]) }
        // Size-1 dims: [1, 4] · [4, 1].
        expectGradientsMatch([awayFromZero([1, 4], seed: 35), awayFromZero([4, 1], seed: 36)]) { $0[0].matmul($0[1]) }
    }

    @Test func linear() {
        let x = awayFromZero([3, 4], seed: 37), w = awayFromZero([5, 4], seed: 38), bias = awayFromZero([5], seed: 39)
        expectGradientsMatch([x, w, bias]) { $0[0].linear(weight: $0[1], bias: $0[2]) }
        expectGradientsMatch([x, w]) { $0[0].linear(weight: $0[1]) }
        let x3 = awayFromZero([2, 3, 4], seed: 40)
        expectGradientsMatch([x3, w, bias]) { $0[0].linear(weight: $0[1], bias: $0[2]) }
        expectGradientsMatch([awayFromZero([4], seed: 41), w]) { $0[0].linear(weight: $0[1]) }
    }

    let logits = spread([4, 5], seed: 42, scale: 2)
    let targets = ints([4], [0, 3, 4, 3])
    let weights = Tensor([5], [1, 0.5, 2, 1.5, 0.8])

    @Test func crossEntropyVariants() {
        expectGradientsMatch([logits]) { $0[0].crossEntropy(targets: targets) }
        expectGradientsMatch([logits]) { $0[0].crossEntropy(targets: targets, weights: weights) }
        expectGradientsMatch([logits]) { $0[0].crossEntropy(targets: targets, labelSmoothing: 0.1) }
        expectGradientsMatch([logits]) { $0[0].crossEntropy(targets: targets, weights: weights, labelSmoothing: 0.2) }
    }

    /// PyTorch's definition, written out in Double: (1−ε)·Σᵢ w[yᵢ]·(−log pᵢ,yᵢ)/Σᵢ w[yᵢ]
    /// + ε/C·Σᵢ Σ_c w[c]·(−log pᵢc)/Σᵢ w[yᵢ].
    func referenceCrossEntropy(weights w: [Double]?, smoothing eps: Double) -> Double {
        let z = logits.scalars.map(Double.init), y = targets.scalars.map { Int($0) }
        let c = 5
        var nll = 0.0, smooth = 0.0, denominator = 0.0
        for i in 0..<4 {
            let row = z[(i * c)..<(i * c + c)]
            let m = row.max()!
            let lse = m + Foundation.log(row.reduce(0) { $0 + Foundation.exp($1 - m) })
            let wi = w?[y[i]] ?? 1
            nll += wi * (lse - z[i * c + y[i]])
            for k in 0..<c { smooth += (w?[k] ?? 1) * (lse - z[i * c + k]) }
            denominator += wi
        }
        return (1 - eps) * nll / denominator + eps / Double(c) * smooth / denominator
    }

    @Test func crossEntropyValuesMatchPyTorchDefinition() {
        let w = weights.scalars.map(Double.init)
        let cases: [(Tensor?, [Double]?, Float)] = [(nil, nil, 0), (weights, w, 0), (nil, nil, 0.1), (weights, w, 0.2)]
        for (wt, wd, eps) in cases {
            let loss = logits.crossEntropy(targets: targets, weights: wt, labelSmoothing: eps).item
            let expected = referenceCrossEntropy(weights: wd, smoothing: Double(eps))
            #expect(Swift.abs(Double(loss) - expected) < 1e-5 * Swift.max(1, Swift.abs(expected)),
                    "ε \(eps), weights \(wd != nil): \(loss) vs \(expected)")
        }
    }

    @Test func softCrossEntropyAndMSE() {
        let q = logits.softmax(axis: 1).detached()  // a valid distribution per row
        let z = spread([4, 5], seed: 43)
        expectGradientsMatch([z]) { $0[0].softCrossEntropy(targets: q) }
        expectGradientsMatch([z, q]) { $0[0].softCrossEntropy(targets: $0[1]) }
        let t = awayFromZero([4, 5], seed: 44)
        expectGradientsMatch([z, t]) { $0[0].mseLoss($0[1]) }
        // Soft targets equal to one-hot rows give the hard-label loss.
        let hard = logits.crossEntropy(targets: targets).item
        let soft = logits.softCrossEntropy(targets: targets.oneHot(classes: 5)).item
        #expect(Swift.abs(hard - soft) < 1e-5)
        #expect(Swift.abs(Tensor([2], [1, 3]).mseLoss(Tensor([2], [0, 1])).item - 2.5) < 1e-6)
    }
}

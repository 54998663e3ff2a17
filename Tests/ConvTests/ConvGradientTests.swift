import Testing
import TensorEngine
import TestSupport

/// Convolution forward against a plain loop, on every kernel that supports the geometry, and gradients against
/// finite differences.
@Suite struct ConvGradientTests {
    /// The geometries the tests sweep: (input, weight, options).
    static let cases: [([Int], [Int], Conv2DOptions)] = [
        ([2, 3, 5, 6], [4, 3, 3, 3], Conv2DOptions(padding: 1)),
        ([1, 2, 7, 7], [3, 2, 3, 3], Conv2DOptions(stride: 2, padding: 1)),
        ([1, 2, 6, 7], [2, 2, 3, 2], Conv2DOptions(stride: (1, 2), padding: (0, 2, 1, 0), dilation: (2, 1))),
        ([1, 4, 5, 5], [6, 2, 3, 3], Conv2DOptions(padding: 1, dilation: 2, groups: 2)),
        ([2, 3, 4, 5], [5, 3, 1, 1], Conv2DOptions()),
        ([1, 3, 6, 6], [3, 1, 3, 3], Conv2DOptions(padding: 1, groups: 3)),
        ([2, 2, 9, 8], [2, 1, 7, 7], Conv2DOptions(padding: 3, groups: 2)),
        ([1, 2, 5, 6], [2, 1, 7, 5], Conv2DOptions(padding: (3, 2, 1, 3), groups: 2)),
        ([1, 2, 4, 5], [2, 1, 31, 31], Conv2DOptions(padding: 15, groups: 2)),
        ([1, 2, 9, 11], [2, 1, 9, 9], Conv2DOptions(padding: 4, groups: 2)),
    ]

    @Test(arguments: cases.indices)
    func forwardMatchesLoopOnEveryKernel(_ index: Int) {
        let (xs, ws, o) = Self.cases[index]
        let x = awayFromZero(xs, seed: 1), w = awayFromZero(ws, seed: 2), b = awayFromZero([ws[0]], seed: 3)
        let expected = referenceConv2d(x, w, b, o)
        let g = Tensor.convGeometry(xs, ws, [ws[0]], o)
        for algo in ConvAlgorithm.allCases where algo.supports(g) {
            let y = x.conv2d(weight: w, bias: b, options: o, algorithm: algo)
            #expect(y.shape == g.outputShape)
            expectClose(y.scalars, expected, tolerance: 1e-4, "\(algo) forward, case \(index)")
        }
    }

    @Test(arguments: cases.indices)
    func gradientsMatchFiniteDifferences(_ index: Int) {
        let (xs, ws, o) = Self.cases[index]
        let x = awayFromZero(xs, seed: 4), w = awayFromZero(ws, seed: 5), b = awayFromZero([ws[0]], seed: 6)
        let g = Tensor.convGeometry(xs, ws, [ws[0]], o)
        // The kernel conv2d picks, and the direct one where it applies; every kernel's gradients are compared with
        // PyTorch's in PyTorchFixtureTests and with each other in kernelsAgreeOnGradients.
        let chosen = ConvAlgorithm.choose(for: g)
        for algo in ConvAlgorithm.allCases where algo.supports(g) && (algo == chosen || algo == .depthwiseDirect) {
            expectGradientsMatch([x, w, b]) { $0[0].conv2d(weight: $0[1], bias: $0[2], options: o, algorithm: algo) }
        }
    }

    @Test func kernelsAgreeOnGradients() {
        // The direct kernel and oneDNN on the same depthwise problems: all three gradients.
        for (xs, ws, o) in Self.cases {
            let g = Tensor.convGeometry(xs, ws, [ws[0]], o)
            guard ConvAlgorithm.depthwiseDirect.supports(g) else { continue }
            let x = awayFromZero(xs, seed: 7), w = awayFromZero(ws, seed: 8), b = awayFromZero([ws[0]], seed: 9)
            var results: [[[Float]]] = []
            for algo in [ConvAlgorithm.depthwiseDirect, .oneDNN] {
                let leaves = [x, w, b].map { $0.requiringGrad() }
                let y = leaves[0].conv2d(weight: leaves[1], bias: leaves[2], options: o, algorithm: algo)
                (y * y).sum().backward()
                results.append(leaves.map { $0.grad!.scalars })
            }
            for k in 0..<3 { expectClose(results[0][k], results[1][k], tolerance: 1e-4, "gradient \(k) of \(xs) \(ws)") }
        }
    }

    @Test func singleOperandGradients() {
        // Only one operand on the graph: the bias-only pass sums dy without a weight pass.
        let x = awayFromZero([2, 3, 5, 5], seed: 10)
        let w = awayFromZero([4, 3, 3, 3], seed: 11), b = awayFromZero([4], seed: 12)
        expectGradientsMatch([b]) { x.conv2d(weight: w, bias: $0[0], padding: 1) }
        expectGradientsMatch([x]) { $0[0].conv2d(weight: w, padding: 1) }
        expectGradientsMatch([w]) { x.conv2d(weight: $0[0], stride: 2) }
    }
}

/// Direct six-loop convolution (the definition), for comparison.
func referenceConv2d(_ x: Tensor, _ w: Tensor, _ b: Tensor?, _ o: Conv2DOptions) -> [Float] {
    let g = Tensor.convGeometry(x.shape, w.shape, b?.shape, o)
    let xv = x.scalars, wv = w.scalars, bv = b?.scalars
    let cpg = g.inChannels / g.groups, opg = g.outChannels / g.groups
    var y = [Float](repeating: 0, count: g.outputShape.reduce(1, *))
    for n in 0..<g.batch {
        for oc in 0..<g.outChannels {
            let grp = oc / opg
            for oh in 0..<g.outH {
                for ow in 0..<g.outW {
                    var s: Double = bv.map { Double($0[oc]) } ?? 0
                    for ic in 0..<cpg {
                        for kh in 0..<g.kernelH {
                            let ih = oh * g.strideH - g.padTop + kh * g.dilationH
                            guard ih >= 0 && ih < g.height else { continue }
                            for kw in 0..<g.kernelW {
                                let iw = ow * g.strideW - g.padLeft + kw * g.dilationW
                                guard iw >= 0 && iw < g.width else { continue }
                                let xi = ((n * g.inChannels + grp * cpg + ic) * g.height + ih) * g.width + iw
                                let wi = ((oc * cpg + ic) * g.kernelH + kh) * g.kernelW + kw
                                s += Double(xv[xi]) * Double(wv[wi])
                            }
                        }
                    }
                    y[((n * g.outChannels + oc) * g.outH + oh) * g.outW + ow] = Float(s)
                }
            }
        }
    }
    return y
}

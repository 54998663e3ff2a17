/// The full geometry of one 2-D convolution over NCHW data: input [N, C, H, W], weight [O, C/groups, KH, KW],
/// output [N, O, OH, OW]. Every convolution kernel takes it, and oneDNN's primitive cache is keyed by it.
package struct ConvGeometry: Hashable, Sendable {
    package var batch: Int
    package var inChannels: Int
    package var height: Int
    package var width: Int
    package var outChannels: Int
    package var kernelH: Int
    package var kernelW: Int
    package var strideH: Int
    package var strideW: Int
    package var padTop: Int
    package var padBottom: Int
    package var padLeft: Int
    package var padRight: Int
    /// Distance between kernel taps (1 = dense), PyTorch's convention.
    package var dilationH: Int
    package var dilationW: Int
    package var groups: Int
    package var hasBias: Bool

    package var outH: Int { (height + padTop + padBottom - dilationH * (kernelH - 1) - 1) / strideH + 1 }
    package var outW: Int { (width + padLeft + padRight - dilationW * (kernelW - 1) - 1) / strideW + 1 }
    package var inputShape: [Int] { [batch, inChannels, height, width] }
    package var weightShape: [Int] { [outChannels, inChannels / groups, kernelH, kernelW] }
    package var outputShape: [Int] { [batch, outChannels, outH, outW] }

    /// One output channel sees exactly one input channel and the channel count is kept.
    package var isDepthwise: Bool { groups == inChannels && outChannels == inChannels }
    /// A 1×1 kernel with unit stride and no padding: a matrix product per image.
    package var isPointwise: Bool {
        kernelH == 1 && kernelW == 1 && strideH == 1 && strideW == 1
            && padTop == 0 && padBottom == 0 && padLeft == 0 && padRight == 0
    }

    /// Multiply-adds of the forward pass, counting every tap of the kernel (padding included), ×2 for FLOPs.
    package var forwardFlops: Double {
        2 * Double(batch) * Double(outChannels) * Double(outH * outW) * Double(inChannels / groups * kernelH * kernelW)
    }
}

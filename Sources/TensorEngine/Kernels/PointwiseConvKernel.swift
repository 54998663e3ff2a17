/// 1×1, stride-1, unpadded, ungrouped convolution as matrix products: per image, y[n] [O, HW] = W [O, C] · x[n]
/// [C, HW]. No copies: NCHW already stores each image as a [C, HW] matrix.

/// Whether the geometry is a plain matrix product per image.
package func pointwiseSupports(_ g: ConvGeometry) -> Bool { g.isPointwise && g.groups == 1 }

/// y [N, O, H, W] = W [O, C] · x [N, C, H, W] per image, plus b [O] when given (preloaded, then β = 1).
package func pointwiseConvForward(
    _ g: ConvGeometry, x: UnsafePointer<Float>, w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
    y: UnsafeMutablePointer<Float>
) {
    let c = g.inChannels, o = g.outChannels, hw = g.height * g.width
    for n in 0..<g.batch {
        let dst = y + n * o * hw
        if let bias {
            for oc in 0..<o { (dst + oc * hw).update(repeating: bias[oc], count: hw) }
        }
        gemm(transA: false, transB: false, m: o, n: hw, k: c, a: w, lda: c, b: x + n * c * hw, ldb: hw,
             beta: bias == nil ? 0 : 1, c: dst, ldc: hw)
    }
}

/// dx[n] [C, HW] = Wᵀ · dy[n] [O, HW].
package func pointwiseConvBackwardData(
    _ g: ConvGeometry, w: UnsafePointer<Float>, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>
) {
    let c = g.inChannels, o = g.outChannels, hw = g.height * g.width
    for n in 0..<g.batch {
        gemm(transA: true, transB: false, m: c, n: hw, k: o, a: w, lda: c, b: dy + n * o * hw, ldb: hw,
             c: dx + n * c * hw, ldc: hw)
    }
}

/// dW [O, C] = Σₙ dy[n] · x[n]ᵀ, accumulated image by image; db [O] = Σ dy over batch and space when given.
package func pointwiseConvBackwardWeights(
    _ g: ConvGeometry, x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dw: UnsafeMutablePointer<Float>,
    db: UnsafeMutablePointer<Float>?
) {
    let c = g.inChannels, o = g.outChannels, hw = g.height * g.width
    for n in 0..<g.batch {
        gemm(transA: false, transB: true, m: o, n: c, k: hw, a: dy + n * o * hw, lda: hw, b: x + n * c * hw,
             ldb: hw, beta: n == 0 ? 0 : 1, c: dw, ldc: c)
    }
    if g.batch == 0 { dw.update(repeating: 0, count: o * c) }
    if let db { channelSums(dy, batch: g.batch, channels: o, plane: hw, into: db) }
}

/// s[c] = Σ over batch and plane of v [N, C, plane], per channel in batch order.
package func channelSums(
    _ v: UnsafePointer<Float>, batch: Int, channels: Int, plane: Int, into s: UnsafeMutablePointer<Float>
) {
    parallelFor(channels, grain: Swift.max(1, parallelGrain / Swift.max(batch * plane, 1))) { r in
        for ch in r {
            var total: Float = 0
            for n in 0..<batch { total += contiguousReduce(.sum, v + (n * channels + ch) * plane, plane) }
            s[ch] = total
        }
    }
}

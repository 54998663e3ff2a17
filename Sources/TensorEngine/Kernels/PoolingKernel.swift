/// Max and average pooling over planes of [N·C, H, W], parallel over planes.

/// Window geometry of a 2-D pooling: kernel, stride and symmetric padding per direction.
package struct PoolGeometry: Hashable, Sendable {
    package var planes: Int
    package var height: Int
    package var width: Int
    package var kernelH: Int
    package var kernelW: Int
    package var strideH: Int
    package var strideW: Int
    package var padH: Int
    package var padW: Int

    package var outH: Int { (height + 2 * padH - kernelH) / strideH + 1 }
    package var outW: Int { (width + 2 * padW - kernelW) / strideW + 1 }
    package var inPlane: Int { height * width }
    package var outPlane: Int { outH * outW }

    /// The window of output (oh, ow) clipped to the input: rows h0..<h1, columns w0..<w1.
    @inline(__always)
    package func window(_ oh: Int, _ ow: Int) -> (h0: Int, h1: Int, w0: Int, w1: Int) {
        let hs = oh * strideH - padH, ws = ow * strideW - padW
        return (Swift.max(hs, 0), Swift.min(hs + kernelH, height), Swift.max(ws, 0), Swift.min(ws + kernelW, width))
    }
}

/// y = max over each window; `argmax` gets the flat in-plane index of the winner (the first maximum, or the first
/// NaN, as PyTorch).
package func maxPoolForward(
    _ g: PoolGeometry, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ argmax: UnsafeMutablePointer<Int32>
) {
    parallelFor(g.planes, grain: Swift.max(1, parallelGrain / Swift.max(g.inPlane, 1))) { r in
        for p in r {
            let src = x + p * g.inPlane
            for oh in 0..<g.outH {
                for ow in 0..<g.outW {
                    let (h0, h1, w0, w1) = g.window(oh, ow)
                    var best = -Float.infinity, at = h0 * g.width + w0
                    search: for h in h0..<h1 {
                        for w in w0..<w1 {
                            let v = src[h * g.width + w]
                            if v > best || v.isNaN {
                                best = v
                                at = h * g.width + w
                                if v.isNaN { break search }
                            }
                        }
                    }
                    let o = p * g.outPlane + oh * g.outW + ow
                    y[o] = best
                    argmax[o] = Int32(at)
                }
            }
        }
    }
}

/// dx = dy routed to each window's recorded maximum (summed where windows overlap).
package func maxPoolBackward(
    _ g: PoolGeometry, _ dy: UnsafePointer<Float>, _ argmax: UnsafePointer<Int32>, _ dx: UnsafeMutablePointer<Float>
) {
    parallelFor(g.planes, grain: Swift.max(1, parallelGrain / Swift.max(g.inPlane, 1))) { r in
        for p in r {
            let dst = dx + p * g.inPlane
            dst.update(repeating: 0, count: g.inPlane)
            for o in (p * g.outPlane)..<((p + 1) * g.outPlane) { dst[Int(argmax[o])] += dy[o] }
        }
    }
}

/// Divisor of window (oh, ow): the whole kernel when padding counts, else only the input elements it covers.
@inline(__always)
private func averageDivisor(_ g: PoolGeometry, _ win: (h0: Int, h1: Int, w0: Int, w1: Int), _ countPadding: Bool) -> Float {
    countPadding ? Float(g.kernelH * g.kernelW) : Float((win.h1 - win.h0) * (win.w1 - win.w0))
}

/// y = mean over each window.
package func avgPoolForward(_ g: PoolGeometry, countPadding: Bool, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
    parallelFor(g.planes, grain: Swift.max(1, parallelGrain / Swift.max(g.inPlane, 1))) { r in
        for p in r {
            let src = x + p * g.inPlane
            for oh in 0..<g.outH {
                for ow in 0..<g.outW {
                    let win = g.window(oh, ow)
                    var s: Float = 0
                    for h in win.h0..<win.h1 { for w in win.w0..<win.w1 { s += src[h * g.width + w] } }
                    y[p * g.outPlane + oh * g.outW + ow] = s / averageDivisor(g, win, countPadding)
                }
            }
        }
    }
}

/// dx = dy / divisor spread over each window.
package func avgPoolBackward(
    _ g: PoolGeometry, countPadding: Bool, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>
) {
    parallelFor(g.planes, grain: Swift.max(1, parallelGrain / Swift.max(g.inPlane, 1))) { r in
        for p in r {
            let dst = dx + p * g.inPlane
            dst.update(repeating: 0, count: g.inPlane)
            for oh in 0..<g.outH {
                for ow in 0..<g.outW {
                    let win = g.window(oh, ow)
                    let v = dy[p * g.outPlane + oh * g.outW + ow] / averageDivisor(g, win, countPadding)
                    for h in win.h0..<win.h1 { for w in win.w0..<win.w1 { dst[h * g.width + w] += v } }
                }
            }
        }
    }
}

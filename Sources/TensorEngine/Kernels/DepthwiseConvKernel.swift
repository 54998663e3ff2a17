/// Direct depthwise convolution for large kernels (7×7 … 31×31, also k×5 / 5×k): stride 1, dilation 1.
///
/// All three passes are one plane correlation, run per (image, channel) plane in parallel:
///   forward        y[c]  = x[c] ⋆ w[c]                      padded by (top, left)
///   input grad     dx[c] = dy[c] ⋆ flip(w[c])               padded by (KH−1−top, KW−1−left)
///   weight grad    dw[c] = Σₙ x[n, c] ⋆ dy[n, c]             padded by (top, left), output KH×KW
/// where ⋆ is cross-correlation. The correlation stages each input plane once into rows with zero columns
/// around them, so the inner loop has no bounds checks: a vector of output columns accumulates a broadcast kernel
/// tap times a shifted input row. Four output rows share each loaded input vector.

/// Output columns computed together. Eight floats fit the baseline x86-64 target's SSE registers with four rows of
/// accumulators and no spills.
private typealias Lanes = SIMD8<Float>
private let lanes = Lanes.scalarCount

/// Whether the direct kernel handles this geometry: depthwise, unit stride and dilation, padding smaller than the
/// kernel on every side (the input gradient is then a correlation with non-negative padding).
package func depthwiseDirectSupports(_ g: ConvGeometry) -> Bool {
    g.isDepthwise && g.strideH == 1 && g.strideW == 1 && g.dilationH == 1 && g.dilationW == 1
        && g.padTop < g.kernelH && g.padBottom < g.kernelH && g.padLeft < g.kernelW && g.padRight < g.kernelW
        && g.padTop >= 0 && g.padBottom >= 0 && g.padLeft >= 0 && g.padRight >= 0
}

/// y [N, C, OH, OW] = depthwise conv of x [N, C, H, W] with w [C, 1, KH, KW], plus b [C] when given.
package func depthwiseConvForward(
    _ g: ConvGeometry, x: UnsafePointer<Float>, w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
    y: UnsafeMutablePointer<Float>
) {
    let c = g.inChannels, taps = g.kernelH * g.kernelW
    let plane = PlaneCorrelation(inH: g.height, inW: g.width, kH: g.kernelH, kW: g.kernelW,
                                 padTop: g.padTop, padLeft: g.padLeft, outH: g.outH, outW: g.outW)
    parallelFor(g.batch * c, grain: 1) { r in
        plane.withRows { rows in
            for p in r {
                plane.run(x + p * g.height * g.width, w + (p % c) * taps, y + p * plane.outH * plane.outW,
                          initial: bias?[p % c] ?? 0, accumulate: false, rows)
            }
        }
    }
}

/// dx [N, C, H, W] from dy [N, C, OH, OW] and w [C, 1, KH, KW]: correlation with the flipped kernel.
package func depthwiseConvBackwardData(
    _ g: ConvGeometry, w: UnsafePointer<Float>, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>
) {
    let c = g.inChannels, kh = g.kernelH, kw = g.kernelW, taps = kh * kw
    let flipped = UnsafeMutablePointer<Float>.allocate(capacity: c * taps)
    defer { flipped.deallocate() }
    for ch in 0..<c {
        for i in 0..<taps { flipped[ch * taps + i] = w[ch * taps + taps - 1 - i] }
    }
    let plane = PlaneCorrelation(inH: g.outH, inW: g.outW, kH: kh, kW: kw, padTop: kh - 1 - g.padTop,
                                 padLeft: kw - 1 - g.padLeft, outH: g.height, outW: g.width)
    parallelFor(g.batch * c, grain: 1) { r in
        plane.withRows { rows in
            for p in r {
                plane.run(dy + p * plane.inH * plane.inW, flipped + (p % c) * taps, dx + p * g.height * g.width,
                          initial: 0, accumulate: false, rows)
            }
        }
    }
}

/// dw [C, 1, KH, KW] (and db [C] when given) from x [N, C, H, W] and dy [N, C, OH, OW]. Each channel is summed
/// over the batch by one thread, in batch order.
package func depthwiseConvBackwardWeights(
    _ g: ConvGeometry, x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dw: UnsafeMutablePointer<Float>,
    db: UnsafeMutablePointer<Float>?
) {
    let c = g.inChannels, taps = g.kernelH * g.kernelW
    let inPlane = g.height * g.width, outPlane = g.outH * g.outW
    // The output gradient plays the kernel; the result is the KH×KW weight gradient.
    let plane = PlaneCorrelation(inH: g.height, inW: g.width, kH: g.outH, kW: g.outW,
                                 padTop: g.padTop, padLeft: g.padLeft, outH: g.kernelH, outW: g.kernelW)
    parallelFor(c, grain: 1) { r in
        plane.withRows { rows in
            for ch in r {
                for n in 0..<g.batch {
                    let p = n * c + ch
                    plane.run(x + p * inPlane, dy + p * outPlane, dw + ch * taps, initial: 0, accumulate: n > 0, rows)
                }
            }
        }
    }
    if g.batch == 0 { dw.update(repeating: 0, count: c * taps) }
    if let db { channelSums(dy, batch: g.batch, channels: c, plane: outPlane, into: db) }
}

/// out[a, b] = initial + Σᵢⱼ in[a + i − padTop, b + j − padLeft] · k[i, j], with zeros outside the input;
/// in [inH, inW], k [kH, kW], out [outH, outW].
private struct PlaneCorrelation {
    let inH: Int, inW: Int, kH: Int, kW: Int, padTop: Int, padLeft: Int, outH: Int, outW: Int
    /// Output columns rounded up to whole vectors.
    var tiles: Int { (outW + lanes - 1) / lanes }
    /// Staged row width: every vector of every tap stays inside the row.
    var rowWidth: Int { tiles * lanes + kW - 1 }

    /// Runs `body` with this thread's staging rows, zeroed once: later planes only overwrite the input columns.
    func withRows(_ body: (UnsafeMutablePointer<Float>) -> Void) {
        let count = Swift.max(inH * rowWidth, 1)
        let rows = UnsafeMutablePointer<Float>.allocate(capacity: count)
        rows.initialize(repeating: 0, count: count)
        defer { rows.deallocate() }
        body(rows)
    }

    @inline(__always)
    func run(
        _ input: UnsafePointer<Float>, _ k: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
        initial: Float, accumulate: Bool, _ rows: UnsafeMutablePointer<Float>
    ) {
        let width = rowWidth
        let copied = Swift.min(inW, width - padLeft)
        if copied > 0 {
            for r in 0..<inH { (rows + r * width + padLeft).update(from: input + r * inW, count: copied) }
        }
        let raw = UnsafeRawPointer(rows)
        var a = 0
        while a < outH {
            let block = Swift.min(4, outH - a)
            // Input rows that reach any of the block's output rows.
            let rLo = Swift.max(0, a - padTop), rHi = Swift.min(inH, a + block - 1 - padTop + kH)
            for t in 0..<tiles {
                var acc0 = Lanes(repeating: initial), acc1 = acc0, acc2 = acc0, acc3 = acc0
                // Taps whose shifted vector touches input columns at all; the others read only zero padding.
                let jLo = Swift.max(0, padLeft - t * lanes - lanes + 1), jHi = Swift.min(kW, padLeft + inW - t * lanes)
                for r in rLo..<(jLo < jHi ? Swift.max(rLo, rHi) : rLo) {
                    let offset = (r * width + t * lanes) * 4
                    // Kernel row of this input row for output row a + q is i0 − q.
                    let i0 = r + padTop - a
                    if block == 4 && i0 >= 3 && i0 < kH {
                        let k0 = k + i0 * kW, k1 = k0 - kW, k2 = k1 - kW, k3 = k2 - kW
                        for j in jLo..<jHi {
                            let v = raw.loadUnaligned(fromByteOffset: offset + j * 4, as: Lanes.self)
                            acc0 += k0[j] * v
                            acc1 += k1[j] * v
                            acc2 += k2[j] * v
                            acc3 += k3[j] * v
                        }
                    } else {
                        let taps = jLo..<jHi
                        if i0 >= 0 && i0 < kH { tapRow(&acc0, k + i0 * kW, raw, offset, taps) }
                        if block > 1 && i0 >= 1 && i0 - 1 < kH { tapRow(&acc1, k + (i0 - 1) * kW, raw, offset, taps) }
                        if block > 2 && i0 >= 2 && i0 - 2 < kH { tapRow(&acc2, k + (i0 - 2) * kW, raw, offset, taps) }
                        if block > 3 && i0 >= 3 && i0 - 3 < kH { tapRow(&acc3, k + (i0 - 3) * kW, raw, offset, taps) }
                    }
                }
                store(acc0, a, t, accumulate, out)
                if block > 1 { store(acc1, a + 1, t, accumulate, out) }
                if block > 2 { store(acc2, a + 2, t, accumulate, out) }
                if block > 3 { store(acc3, a + 3, t, accumulate, out) }
            }
            a += block
        }
    }

    @inline(__always)
    private func tapRow(
        _ acc: inout Lanes, _ kRow: UnsafePointer<Float>, _ raw: UnsafeRawPointer, _ offset: Int, _ taps: Range<Int>
    ) {
        for j in taps { acc += kRow[j] * raw.loadUnaligned(fromByteOffset: offset + j * 4, as: Lanes.self) }
    }

    @inline(__always)
    private func store(_ acc: Lanes, _ row: Int, _ tile: Int, _ accumulate: Bool, _ out: UnsafeMutablePointer<Float>) {
        let dst = out + row * outW + tile * lanes
        let n = Swift.min(lanes, outW - tile * lanes)
        if n == lanes {
            let raw = UnsafeMutableRawPointer(dst)
            let v = accumulate ? acc + raw.loadUnaligned(as: Lanes.self) : acc
            raw.storeBytes(of: v, as: Lanes.self)
        } else {
            for l in 0..<n { dst[l] = accumulate ? dst[l] + acc[l] : acc[l] }
        }
    }
}

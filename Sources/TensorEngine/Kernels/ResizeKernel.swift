/// Nearest and bilinear (align_corners = false) resizing of planes [N·C, H, W] → [N·C, OH, OW], as PyTorch's
/// `interpolate`. Both are one separable interpolation: each output row and column reads two source indices with
/// two weights (nearest: the same index twice, weights 1 and 0), computed once per call in float32 as PyTorch does.

/// Source indices and weights of one axis: output i reads lo[i]·wLo[i] + hi[i]·wHi[i].
package struct ResizeAxis: Sendable {
    package var lo: [Int] = []
    package var hi: [Int] = []
    package var wLo: [Float] = []
    package var wHi: [Float] = []

    /// nearest: src = min(⌊i·in/out⌋, in − 1). bilinear: src = max((i + ½)·in/out − ½, 0), lo = ⌊src⌋,
    /// hi = min(lo + 1, in − 1), wHi = src − lo.
    package init(input: Int, output: Int, bilinear: Bool) {
        let scale = Float(input) / Float(output)
        for i in 0..<output {
            if bilinear {
                let src = Swift.max(scale * (Float(i) + 0.5) - 0.5, 0)
                let l = Swift.min(Int(src), input - 1)
                let lambda = src - Float(l)
                lo.append(l)
                hi.append(Swift.min(l + 1, input - 1))
                wLo.append(1 - lambda)
                wHi.append(lambda)
            } else {
                let s = Swift.min(Int((Float(i) * scale).rounded(.down)), input - 1)
                lo.append(s)
                hi.append(s)
                wLo.append(1)
                wHi.append(0)
            }
        }
    }
}

/// y[p, i, j] = Σ over the two rows and two columns of weightᵣ·weight꜀·x[p, r, c].
package func resizeForward(
    planes: Int, inH: Int, inW: Int, rows: ResizeAxis, cols: ResizeAxis, _ x: UnsafePointer<Float>,
    _ y: UnsafeMutablePointer<Float>
) {
    let outH = rows.lo.count, outW = cols.lo.count
    parallelFor(planes, grain: Swift.max(1, parallelGrain / Swift.max(outH * outW, 1))) { r in
        for p in r {
            let src = x + p * inH * inW, dst = y + p * outH * outW
            for i in 0..<outH {
                let r0 = src + rows.lo[i] * inW, r1 = src + rows.hi[i] * inW
                let a = rows.wLo[i], b = rows.wHi[i]
                for j in 0..<outW {
                    let c0 = cols.lo[j], c1 = cols.hi[j]
                    let top = cols.wLo[j] * r0[c0] + cols.wHi[j] * r0[c1]
                    let bottom = cols.wLo[j] * r1[c0] + cols.wHi[j] * r1[c1]
                    dst[i * outW + j] = a * top + b * bottom
                }
            }
        }
    }
}

/// dx = the forward's weights applied in reverse: each dy element adds weightᵣ·weight꜀·dy to its four sources.
package func resizeBackward(
    planes: Int, inH: Int, inW: Int, rows: ResizeAxis, cols: ResizeAxis, _ dy: UnsafePointer<Float>,
    _ dx: UnsafeMutablePointer<Float>
) {
    let outH = rows.lo.count, outW = cols.lo.count
    parallelFor(planes, grain: Swift.max(1, parallelGrain / Swift.max(outH * outW, 1))) { r in
        for p in r {
            let src = dy + p * outH * outW, dst = dx + p * inH * inW
            dst.update(repeating: 0, count: inH * inW)
            for i in 0..<outH {
                let r0 = dst + rows.lo[i] * inW, r1 = dst + rows.hi[i] * inW
                let a = rows.wLo[i], b = rows.wHi[i]
                for j in 0..<outW {
                    let g = src[i * outW + j]
                    let c0 = cols.lo[j], c1 = cols.hi[j]
                    r0[c0] += a * cols.wLo[j] * g
                    r0[c1] += a * cols.wHi[j] * g
                    r1[c0] += b * cols.wLo[j] * g
                    r1[c1] += b * cols.wHi[j] * g
                }
            }
        }
    }
}

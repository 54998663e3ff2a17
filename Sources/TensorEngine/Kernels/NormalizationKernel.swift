/// Per-channel kernels of batch normalisation over x [N, C, S] (S = spatial size) and per-row kernels of layer and
/// RMS normalisation over x [R, D]. Sums run per channel or row on one thread in a fixed order, so results do not
/// depend on the thread count.

/// Σ of (v − shift) over a contiguous run, with eight accumulators so it vectorises.
@inline(__always)
private func shiftedSum(_ v: UnsafePointer<Float>, _ n: Int, shift: Float, squared: Bool) -> Float {
    var acc = SIMD8<Float>(repeating: 0)
    let s = SIMD8<Float>(repeating: shift)
    let raw = UnsafeRawPointer(v)
    var i = 0
    while i + 8 <= n {
        let d = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) - s
        acc += squared ? d * d : d
        i += 8
    }
    var total = acc.sum()
    while i < n {
        let d = v[i] - shift
        total += squared ? d * d : d
        i += 1
    }
    return total
}

/// Σ a·(b − shift) over a contiguous run.
@inline(__always)
private func shiftedDot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int, shift: Float) -> Float {
    var acc = SIMD8<Float>(repeating: 0)
    let s = SIMD8<Float>(repeating: shift)
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
    var i = 0
    while i + 8 <= n {
        acc += ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            * (rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) - s)
        i += 8
    }
    var total = acc.sum()
    while i < n {
        total += a[i] * (b[i] - shift)
        i += 1
    }
    return total
}

/// Channel statistics of x [N, C, S]: mean and biased variance (two passes: the variance sums squares around the
/// mean, so it stays accurate when the mean is large).
package func channelMoments(
    _ x: UnsafePointer<Float>, batch: Int, channels: Int, plane: Int, mean: UnsafeMutablePointer<Float>,
    variance: UnsafeMutablePointer<Float>
) {
    let count = Float(Swift.max(batch * plane, 1))
    parallelFor(channels, grain: Swift.max(1, parallelGrain / Swift.max(batch * plane, 1))) { r in
        for c in r {
            var s: Float = 0
            for n in 0..<batch { s += shiftedSum(x + (n * channels + c) * plane, plane, shift: 0, squared: false) }
            let m = s / count
            var q: Float = 0
            for n in 0..<batch { q += shiftedSum(x + (n * channels + c) * plane, plane, shift: m, squared: true) }
            mean[c] = m
            variance[c] = q / count
        }
    }
}

/// Per channel, Σ g and Σ g·(x − mean) over x, g [N, C, S]: the two sums of the batch-norm backward pass.
package func channelGradientSums(
    _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, mean: UnsafePointer<Float>, batch: Int, channels: Int,
    plane: Int, sumG: UnsafeMutablePointer<Float>, sumGX: UnsafeMutablePointer<Float>
) {
    parallelFor(channels, grain: Swift.max(1, parallelGrain / Swift.max(batch * plane, 1))) { r in
        for c in r {
            var s: Float = 0, d: Float = 0
            for n in 0..<batch {
                let o = (n * channels + c) * plane
                s += shiftedSum(g + o, plane, shift: 0, squared: false)
                d += shiftedDot(g + o, x + o, plane, shift: mean[c])
            }
            sumG[c] = s
            sumGX[c] = d
        }
    }
}

/// out = a[c]·u + b[c]·v + k[c] per channel of [N, C, S] (v may be nil: b is then unused). The forward pass of
/// batch norm is (a = scale, u = x, k = shift); its input gradient is (a, u = g, b, v = x, k).
package func channelAffine(
    _ u: UnsafePointer<Float>, _ a: UnsafePointer<Float>, _ v: UnsafePointer<Float>?, _ b: UnsafePointer<Float>,
    _ k: UnsafePointer<Float>, batch: Int, channels: Int, plane: Int, _ out: UnsafeMutablePointer<Float>
) {
    parallelFor(batch * channels, grain: Swift.max(1, parallelGrain / Swift.max(plane, 1))) { r in
        for p in r {
            let c = p % channels, o = p * plane
            let ac = a[c], bc = b[c], kc = k[c]
            if let v {
                for i in o..<(o + plane) { out[i] = ac * u[i] + bc * v[i] + kc }
            } else {
                for i in o..<(o + plane) { out[i] = ac * u[i] + kc }
            }
        }
    }
}

/// Layer norm over rows of x [R, D]: y = (x − mean)·invstd·w + b, saving each row's mean and invstd.
/// RMS norm (`rms`): y = x·invrms·w with invrms = 1/√(mean(x²) + eps); `mean` is then all zeros.
package func rowNormForward(
    _ x: UnsafePointer<Float>, rows: Int, width: Int, weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?,
    eps: Float, rms: Bool, _ y: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>,
    invstd: UnsafeMutablePointer<Float>
) {
    parallelFor(rows, grain: Swift.max(1, parallelGrain / Swift.max(width, 1))) { r in
        for row in r {
            let src = x + row * width, dst = y + row * width
            let m = rms ? 0 : shiftedSum(src, width, shift: 0, squared: false) / Float(width)
            let v = shiftedSum(src, width, shift: m, squared: true) / Float(width)
            let s = 1 / (v + eps).squareRoot()
            mean[row] = m
            invstd[row] = s
            for j in 0..<width {
                var t = (src[j] - m) * s
                if let weight { t *= weight[j] }
                if let bias { t += bias[j] }
                dst[j] = t
            }
        }
    }
}

/// Input gradient of `rowNormForward`. With ĝ = g·w and x̂ = (x − mean)·invstd:
///   layer norm  dx = invstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂))
///   RMS norm    dx = invstd·(ĝ − x̂·mean(ĝ·x̂))
package func rowNormBackwardData(
    _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, rows: Int, width: Int, weight: UnsafePointer<Float>?,
    rms: Bool, mean: UnsafePointer<Float>, invstd: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>
) {
    parallelFor(rows, grain: Swift.max(1, parallelGrain / Swift.max(width, 1))) { r in
        for row in r {
            let gr = g + row * width, xr = x + row * width, dr = dx + row * width
            let m = mean[row], s = invstd[row]
            var sg: Float = 0, sgx: Float = 0
            for j in 0..<width {
                let gh = weight.map { gr[j] * $0[j] } ?? gr[j]
                sg += gh
                sgx += gh * (xr[j] - m) * s
            }
            let mg = rms ? 0 : sg / Float(width), mgx = sgx / Float(width)
            for j in 0..<width {
                let gh = weight.map { gr[j] * $0[j] } ?? gr[j]
                dr[j] = s * (gh - mg - (xr[j] - m) * s * mgx)
            }
        }
    }
}

/// Column sums over rows of [R, D]: dw = Σ g·x̂ (when `dw` is given) and db = Σ g (when `db` is given), in row
/// order per column.
package func rowNormBackwardAffine(
    _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, rows: Int, width: Int, mean: UnsafePointer<Float>,
    invstd: UnsafePointer<Float>, dw: UnsafeMutablePointer<Float>?, db: UnsafeMutablePointer<Float>?
) {
    // Column blocks, each walking all rows: contiguous inner loops, disjoint outputs per thread.
    let block = 256
    let blocks = (width + block - 1) / block
    parallelFor(blocks, grain: Swift.max(1, parallelGrain / Swift.max(rows * block, 1))) { r in
        for b in r {
            let j0 = b * block, j1 = Swift.min(width, j0 + block)
            if let dw { for j in j0..<j1 { dw[j] = 0 } }
            if let db { for j in j0..<j1 { db[j] = 0 } }
            for row in 0..<rows {
                let gr = g + row * width, xr = x + row * width
                let m = mean[row], s = invstd[row]
                if let dw { for j in j0..<j1 { dw[j] += gr[j] * (xr[j] - m) * s } }
                if let db { for j in j0..<j1 { db[j] += gr[j] } }
            }
        }
    }
}

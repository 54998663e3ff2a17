/// Group-wise quantise–dequantise kernels (simulated low precision). Each group of `group` consecutive elements is
/// rounded on its own grid; groups run in parallel and each is computed by one thread in a fixed order, so results do
/// not depend on the thread count. The arithmetic follows the Stable-SPAM code operation by operation (division
/// where it divides, float32 throughout, round half to even as `torch.round`), so the grids match bit for bit.

/// Quantise–dequantise `count` elements of x into y, `group` elements per group (`count` a multiple of `group`).
package func fakeQuantForward(
    _ format: FakeQuantFormat, group: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int
) {
    let groups = count / group
    parallelFor(groups, grain: Swift.max(1, parallelGrain / Swift.max(group, 1))) { r in
        // Outlier positions of the current group (at most a few).
        var kept: [Int] = []
        for gi in r {
            let src = x + gi * group, dst = y + gi * group
            switch format {
            case .intAsymmetric(let bits):
                asymmetricGroup(src, dst, group, bits: bits)
            case .intSymmetric(let bits, let outliers):
                largestMagnitudes(src, group, outliers, into: &kept)
                symmetricGroup(src, dst, group, bits: bits, skipping: kept)
            case .fp4Uniform(let outliers):
                largestMagnitudes(src, group, outliers, into: &kept)
                uniformFP4Group(src, dst, group, skipping: kept)
            case .fp4E2M1(let outliers):
                largestMagnitudes(src, group, outliers, into: &kept)
                e2m1Group(src, dst, group, skipping: kept)
            }
            // Outliers are carried over exactly.
            for i in kept { dst[i] = src[i] }
            kept.removeAll(keepingCapacity: true)
        }
    }
}

/// Asymmetric min/max grid: scale = max(max − min, 1e-5)/(2ᵇ − 1), zero = clamp(−round(min/scale), 0, 2ᵇ − 1),
/// q = clamp(round(x/scale) + zero, 0, 2ᵇ − 1), y = (q − zero)·scale.
@inline(__always)
private func asymmetricGroup(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, bits: Int) {
    var lo = x[0], hi = x[0]
    for i in 1..<n {
        lo = Swift.min(lo, x[i])
        hi = Swift.max(hi, x[i])
    }
    let qmax = Float((1 << bits) - 1)
    let scale = Swift.max(hi - lo, 1e-5) / qmax
    let zero = Swift.min(Swift.max(-(lo / scale).rounded(.toNearestOrEven), 0), qmax)
    for i in 0..<n {
        let q = Swift.min(Swift.max((x[i] / scale).rounded(.toNearestOrEven) + zero, 0), qmax)
        y[i] = (q - zero) * scale
    }
}

/// Symmetric grid over the non-outliers: scale = max(max|x|, 1e-6), q = clamp(round(x·((2ᵇ⁻¹ − 1)/scale)),
/// −2ᵇ⁻¹, 2ᵇ⁻¹ − 1), y = q·scale/(2ᵇ⁻¹ − 1).
@inline(__always)
private func symmetricGroup(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, bits: Int, skipping kept: [Int]
) {
    let scale = Swift.max(absoluteMaximum(x, n, skipping: kept), 1e-6)
    let qmax = Float((1 << (bits - 1)) - 1), qmin = -Float(1 << (bits - 1))
    let toGrid = qmax / scale
    for i in 0..<n {
        let q = Swift.min(Swift.max((x[i] * toGrid).rounded(.toNearestOrEven), qmin), qmax)
        y[i] = q * scale / qmax
    }
}

/// Stable-SPAM's "FP4": its E1M2 formulas saturate to a uniform grid of step α/4 over [−α, α],
/// α = max(max|x|, 1e-6) over the non-outliers: y = (α/4)·round(x/(α/4)). (The code's `+ 1e-12` inside the
/// round cannot change a float32 result and is left out.)
@inline(__always)
private func uniformFP4Group(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, skipping kept: [Int]) {
    let alpha = Swift.max(absoluteMaximum(x, n, skipping: kept), 1e-6)
    let step = alpha * 0.5 * 0.5
    for i in 0..<n {
        let v = Swift.min(Swift.max(x[i], -alpha), alpha)
        y[i] = step * (v / step).rounded(.toNearestOrEven)
    }
}

/// The E2M1 grid ±{0, 0.5, 1, 1.5, 2, 3, 4, 6}·α/6 (α = max(max|x|, 1e-6) over the non-outliers, so the group's
/// largest magnitude maps to 6), round to nearest with ties to the even code.
@inline(__always)
private func e2m1Group(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, skipping kept: [Int]) {
    let alpha = Swift.max(absoluteMaximum(x, n, skipping: kept), 1e-6)
    let unit = alpha / 6
    for i in 0..<n {
        let t = Swift.min(Swift.abs(x[i]) / unit, 6)
        let level: Float
        if t < 2 {
            level = (t * 2).rounded(.toNearestOrEven) * 0.5
        } else if t < 4 {
            level = t.rounded(.toNearestOrEven)
        } else {
            level = (t * 0.5).rounded(.toNearestOrEven) * 2
        }
        y[i] = x[i] < 0 ? -(level * unit) : level * unit
    }
}

/// max |x[i]| over the group, outliers excluded (0 when every element is an outlier).
@inline(__always)
private func absoluteMaximum(_ x: UnsafePointer<Float>, _ n: Int, skipping kept: [Int]) -> Float {
    var m: Float = 0
    for i in 0..<n where !kept.contains(i) { m = Swift.max(m, Swift.abs(x[i])) }
    return m
}

/// Positions of the `k` largest |x| in the group, largest first (the lower index first among equals).
@inline(__always)
private func largestMagnitudes(_ x: UnsafePointer<Float>, _ n: Int, _ k: Int, into kept: inout [Int]) {
    for _ in 0..<Swift.min(k, n) {
        var best = -1
        var bestValue: Float = -1
        for i in 0..<n where !kept.contains(i) {
            let v = Swift.abs(x[i])
            if v > bestValue {
                best = i
                bestValue = v
            }
        }
        kept.append(best)
    }
}

import TensorEngine

/// Whole-tensor reductions for the optimizers' per-step statistics, in fixed blocks of `reductionBlock` elements
/// whose partials are combined in block order: the results are the same whatever the thread count. The partials
/// live in a scratch buffer allocated once for the largest tensor, so a step allocates nothing here.
final class BlockReductions {
    private let partials: UnsafeMutablePointer<Double>
    private let capacity: Int

    /// Scratch for tensors of up to `maxCount` elements.
    init(maxCount: Int) {
        capacity = max(1, (maxCount + reductionBlock - 1) / reductionBlock)
        partials = .allocate(capacity: 3 * capacity)
        partials.initialize(repeating: 0, count: 3 * capacity)
    }

    deinit { partials.deallocate() }

    /// Σ gᵢ² (in Double) and max |gᵢ| over `g[0..<n]`. The sum is not finite exactly when some gᵢ is not, so this
    /// one pass is also the finiteness check (squares of finite Floats cannot overflow a Double sum).
    func sumSquaresAndMaxAbs(_ g: UnsafePointer<Float>, _ n: Int) -> (sumSquares: Double, maxAbs: Float) {
        let blocks = (n + reductionBlock - 1) / reductionBlock
        precondition(blocks <= capacity, "BlockReductions: \(n) elements exceed the scratch")
        let out = partials
        parallelFor(blocks, grain: max(1, parallelGrain / reductionBlock)) { r in
            for b in r {
                let lo = b * reductionBlock
                let (s, m) = blockSumSquaresMax(g + lo, min(n, lo + reductionBlock) - lo)
                out[3 * b] = s
                out[3 * b + 1] = Double(m)
            }
        }
        var sum = 0.0
        var maxAbs: Float = 0
        for b in 0..<blocks {
            sum += out[3 * b]
            maxAbs = max(maxAbs, Float(out[3 * b + 1]))
        }
        return (sum, maxAbs)
    }

    /// Σ gᵢ² over the elements with |gᵢ| ≤ `threshold` and over those above it, with the count above.
    func splitSumSquares(_ g: UnsafePointer<Float>, _ n: Int, threshold: Float) -> (
        below: Double, above: Double, countAbove: Int
    ) {
        let blocks = (n + reductionBlock - 1) / reductionBlock
        precondition(blocks <= capacity, "BlockReductions: \(n) elements exceed the scratch")
        let out = partials
        parallelFor(blocks, grain: max(1, parallelGrain / reductionBlock)) { r in
            for b in r {
                let lo = b * reductionBlock
                let hi = min(n, lo + reductionBlock)
                var below = 0.0
                var above = 0.0
                var count = 0
                for i in lo..<hi {
                    let x = Double(g[i])
                    if g[i].magnitude > threshold {
                        above += x * x
                        count += 1
                    } else {
                        below += x * x
                    }
                }
                out[3 * b] = below
                out[3 * b + 1] = above
                out[3 * b + 2] = Double(count)
            }
        }
        var below = 0.0
        var above = 0.0
        var count = 0.0
        for b in 0..<blocks {
            below += out[3 * b]
            above += out[3 * b + 1]
            count += out[3 * b + 2]
        }
        return (below, above, Int(count))
    }
}

/// Σ x² and max |x| of one block: four independent accumulators so the loop needs no reassociation to run in
/// vector registers (Swift's generic SIMD types compiled to scalar lane loops here, ten times slower).
@inline(__always)
private func blockSumSquaresMax(_ x: UnsafePointer<Float>, _ n: Int) -> (Double, Float) {
    var s0 = 0.0
    var s1 = 0.0
    var s2 = 0.0
    var s3 = 0.0
    var m0: Float = 0
    var m1: Float = 0
    var m2: Float = 0
    var m3: Float = 0
    var i = 0
    while i + 4 <= n {
        let a = x[i]
        let b = x[i + 1]
        let c = x[i + 2]
        let d = x[i + 3]
        s0 += Double(a) * Double(a)
        s1 += Double(b) * Double(b)
        s2 += Double(c) * Double(c)
        s3 += Double(d) * Double(d)
        m0 = a.magnitude > m0 ? a.magnitude : m0
        m1 = b.magnitude > m1 ? b.magnitude : m1
        m2 = c.magnitude > m2 ? c.magnitude : m2
        m3 = d.magnitude > m3 ? d.magnitude : m3
        i += 4
    }
    var sum = (s0 + s1) + (s2 + s3)
    var m = max(max(m0, m1), max(m2, m3))
    while i < n {
        sum += Double(x[i]) * Double(x[i])
        m = x[i].magnitude > m ? x[i].magnitude : m
        i += 1
    }
    return (sum, m)
}

extension BlockReductions {
    /// Runs `body` over `0..<n` in fixed blocks (in parallel for large `n`) and returns the sum of the counts it
    /// reports, combined in block order. The fused update kernels count clipped elements through this.
    func countingBlocks(_ n: Int, _ body: (Range<Int>) -> Int) -> Int {
        let blocks = (n + reductionBlock - 1) / reductionBlock
        precondition(blocks <= capacity, "BlockReductions: \(n) elements exceed the scratch")
        let out = partials
        parallelFor(blocks, grain: max(1, parallelGrain / reductionBlock)) { r in
            for b in r {
                let lo = b * reductionBlock
                out[3 * b] = Double(body(lo..<min(n, lo + reductionBlock)))
            }
        }
        var total = 0.0
        for b in 0..<blocks { total += out[3 * b] }
        return Int(total)
    }
}

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

    /// Σ gᵢ² (in Double) and max |gᵢ| over `g[0..<n]`, with each block's to `blockSums` and `blockMax`. The sum
    /// is not finite exactly when some gᵢ is not, so this one pass is also the finiteness check (squares of finite
    /// Floats cannot overflow a Double sum).
    func sumSquaresAndMaxAbs(
        _ g: UnsafePointer<Float>, _ n: Int, blockSums: UnsafeMutablePointer<Double>,
        blockMax: UnsafeMutablePointer<Float>
    ) -> (sumSquares: Double, maxAbs: Float) {
        let blocks = (n + reductionBlock - 1) / reductionBlock
        precondition(blocks <= capacity, "BlockReductions: \(n) elements exceed the scratch")
        parallelFor(blocks, grain: blockGrain, job: SumSquaresMaxJob(g: g, n: n, sums: blockSums, maxima: blockMax))
        var sum = 0.0
        var maxAbs: Float = 0
        for b in 0..<blocks {
            sum += blockSums[b]
            maxAbs = max(maxAbs, blockMax[b])
        }
        return (sum, maxAbs)
    }

    /// Σ gᵢ² over the elements with |gᵢ| ≤ `threshold` and over those above it, with the count above. Only the
    /// blocks whose max |gᵢ| (`blockMax`, from ``sumSquaresAndMaxAbs``) exceeds the threshold are read: the
    /// others add their whole sum (`blockSums`) below it. Spikes are few, so this pass reads a few blocks, not `g`.
    func splitSumSquares(
        _ g: UnsafePointer<Float>, _ n: Int, threshold: Float, blockMax: UnsafePointer<Float>,
        blockSums: UnsafePointer<Double>
    ) -> (below: Double, above: Double, countAbove: Int) {
        let blocks = (n + reductionBlock - 1) / reductionBlock
        precondition(blocks <= capacity, "BlockReductions: \(n) elements exceed the scratch")
        let out = partials
        parallelFor(
            blocks, grain: blockGrain,
            job: SplitSumSquaresJob(
                g: g, n: n, threshold: threshold, blockMax: blockMax, blockSums: blockSums, out: out))
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

/// Sixteen Float lanes in a tuple: a loop over them through a pointer compiles to whole vector registers (one
/// zmm with AVX-512, four xmm with SSE2), and fixing the lane count keeps the sums the same on either.
private typealias Lanes = (
    Float, Float, Float, Float, Float, Float, Float, Float, Float, Float, Float, Float, Float, Float, Float, Float
)
private let zeroLanes: Lanes = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)

/// Σ x² and max |x| of one block, accumulated in sixteen Float lanes with no reassociation needed to vectorise
/// (eight scalar accumulators compiled to shuffles around 128-bit adds; Swift's SIMD types to spills; Double
/// accumulation halves the lanes). A block whose Float sum overflows is summed again in Double, so the result is
/// infinite or NaN only when an element is.
@inline(__always)
private func blockSumSquaresMax(_ x: UnsafePointer<Float>, _ n: Int) -> (Double, Float) {
    var sums = zeroLanes
    var peaks = zeroLanes
    var i = 0
    withUnsafeMutableBytes(of: &sums) { rawSums in
        withUnsafeMutableBytes(of: &peaks) { rawPeaks in
            let s = rawSums.baseAddress!.assumingMemoryBound(to: Float.self)
            let m = rawPeaks.baseAddress!.assumingMemoryBound(to: Float.self)
            while i + 16 <= n {
                for l in 0..<16 {
                    let v = x[i + l]
                    s[l] += v * v
                    m[l] = v.magnitude > m[l] ? v.magnitude : m[l]
                }
                i += 16
            }
        }
    }
    var sum = withUnsafeBytes(of: sums) { $0.bindMemory(to: Float.self).reduce(0.0) { $0 + Double($1) } }
    var peak = withUnsafeBytes(of: peaks) { $0.bindMemory(to: Float.self).reduce(Float(0)) { $1 > $0 ? $1 : $0 } }
    while i < n {
        sum += Double(x[i]) * Double(x[i])
        peak = x[i].magnitude > peak ? x[i].magnitude : peak
        i += 1
    }
    return (finiteOrExact(sum, x, n), peak)
}

/// `sum`, or when it is not finite, Σ x² summed again in Double: the Float lanes may have overflowed on finite
/// elements, and Double tells that apart from a non-finite element.
@inline(__always)
private func finiteOrExact(_ sum: Double, _ x: UnsafePointer<Float>, _ n: Int) -> Double {
    guard !sum.isFinite else { return sum }
    var exact = 0.0
    for j in 0..<n { exact += Double(x[j]) * Double(x[j]) }
    return exact
}

extension BlockReductions {
    /// Runs `counter` over `0..<n` in fixed blocks (in parallel for large `n`) and returns the sum of the counts
    /// it reports, combined in block order. The fused update kernels count clipped elements through this.
    func countingBlocks<Counter: BlockCounter>(_ n: Int, _ counter: Counter) -> Int {
        let blocks = (n + reductionBlock - 1) / reductionBlock
        precondition(blocks <= capacity, "BlockReductions: \(n) elements exceed the scratch")
        parallelFor(blocks, grain: blockGrain, job: CountingJob(counter: counter, n: n, out: partials))
        var total = 0.0
        for b in 0..<blocks { total += partials[3 * b] }
        return Int(total)
    }
}

/// A kernel that works on a range of elements and reports how many it counted (clipped).
protocol BlockCounter {
    func count(_ range: Range<Int>) -> Int
}

/// Two blocks per chunk at the least: a block is already 16 K elements.
private let blockGrain = max(1, parallelGrain / reductionBlock)

// The block loops as `ChunkJob`s: a step runs them for every large tensor, and a closure handed to the thread
// team would cost a heap box each time.

private struct SumSquaresMaxJob: ChunkJob {
    let g: UnsafePointer<Float>, n: Int, sums: UnsafeMutablePointer<Double>, maxima: UnsafeMutablePointer<Float>
    func run(_ blocks: Range<Int>) {
        for b in blocks {
            let lo = b * reductionBlock
            (sums[b], maxima[b]) = blockSumSquaresMax(g + lo, min(n, lo + reductionBlock) - lo)
        }
    }
}

private struct SplitSumSquaresJob: ChunkJob {
    let g: UnsafePointer<Float>, n: Int, threshold: Float
    let blockMax: UnsafePointer<Float>, blockSums: UnsafePointer<Double>, out: UnsafeMutablePointer<Double>
    func run(_ blocks: Range<Int>) {
        for b in blocks {
            guard blockMax[b] > threshold else {
                out[3 * b] = blockSums[b]
                out[3 * b + 1] = 0
                out[3 * b + 2] = 0
                continue
            }
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
}

private struct CountingJob<Counter: BlockCounter>: ChunkJob {
    let counter: Counter, n: Int, out: UnsafeMutablePointer<Double>
    func run(_ blocks: Range<Int>) {
        for b in blocks {
            let lo = b * reductionBlock
            out[3 * b] = Double(counter.count(lo..<min(n, lo + reductionBlock)))
        }
    }
}

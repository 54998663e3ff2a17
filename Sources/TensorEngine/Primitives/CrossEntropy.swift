import Foundation

extension Tensor {
    /// Mean cross-entropy of logits [N, C] against integer targets [N] (stored as floats), as one primitive:
    /// the forward pass computes each row's log-sum-exp and loss in one sweep, the backward pass writes
    /// dx = g·(softmax(x) − onehot(y))/N in another. `crossEntropy` uses it when there are no class weights and
    /// no label smoothing; the composite over `logSoftmax` stays the reference. Row losses are summed in row
    /// order, so the result does not depend on the thread count.
    package func fusedCrossEntropy(targets: Tensor) -> Tensor {
        precondition(rank == 2 && targets.count == shape[0],
                     "crossEntropy: logits must be [N, C] with N targets, got \(shape) and \(targets.shape)")
        let (n, c) = (shape[0], shape[1])
        let labels = targets.indexValues("crossEntropy", bound: c)
        var lse = [Float](repeating: 0, count: n)
        var rowLoss = [Float](repeating: 0, count: n)
        let x = self
        lse.withUnsafeMutableBufferPointer { l in
            rowLoss.withUnsafeMutableBufferPointer { losses in
                let lp = l.baseAddress!, rp = losses.baseAddress!, xp = x.storage.base
                parallelFor(n, grain: Swift.max(1, parallelGrain / Swift.max(c, 1))) { r in
                    for i in r {
                        let row = xp + i * c
                        lp[i] = logSumExp(row, c)
                        rp[i] = lp[i] - row[labels[i]]
                    }
                }
            }
        }
        var total: Float = 0
        for v in rowLoss { total += v }
        let out = Tensor(total / Float(Swift.max(n, 1)))
        let saved = lse
        // d/dx mean_i (lse_i − x[i, yᵢ]) = (softmax(x) − onehot(y))/N, scaled by the incoming g.
        return Tensor.record("cross_entropy", out, [x]) { g, _ in
            let scale = g.item / Float(Swift.max(n, 1))
            return [Tensor.make(shape: [n, c]) { d in
                let dp = d.baseAddress!, xp = x.storage.base
                saved.withUnsafeBufferPointer { l in
                    parallelFor(n, grain: Swift.max(1, parallelGrain / Swift.max(c, 1))) { r in
                        for i in r { softmaxGradientRow(xp + i * c, dp + i * c, c, lse: l[i], label: labels[i], scale: scale) }
                    }
                }
            }]
        }
    }
}

/// log Σ exp(x[j]) over j < n, stable (the maximum is subtracted first); −∞ for an empty row.
@inline(__always)
private func logSumExp(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    var m = -Float.infinity
    for j in 0..<n where x[j] > m { m = x[j] }
    if m == -.infinity { return m }
    let raw = UnsafeRawPointer(x)
    var acc = SIMD8<Float>(repeating: 0)
    var j = 0
    while j + 8 <= n {
        acc += fastExp(raw.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self) - m)
        j += 8
    }
    var s = acc.sum()
    while j < n {
        s += fastExp(x[j] - m)
        j += 1
    }
    return m + Foundation.log(s)
}

/// d[j] = scale·(exp(x[j] − lse) − [j = label]).
@inline(__always)
private func softmaxGradientRow(
    _ x: UnsafePointer<Float>, _ d: UnsafeMutablePointer<Float>, _ n: Int, lse: Float, label: Int, scale: Float
) {
    let raw = UnsafeRawPointer(x), out = UnsafeMutableRawPointer(d)
    var j = 0
    while j + 8 <= n {
        let e = fastExp(raw.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self) - lse)
        out.storeBytes(of: scale * e, toByteOffset: j * 4, as: SIMD8<Float>.self)
        j += 8
    }
    while j < n {
        d[j] = scale * fastExp(x[j] - lse)
        j += 1
    }
    d[label] -= scale
}

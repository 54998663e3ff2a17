import Foundation

/// Row-wise softmax or log-softmax over x viewed as [rows, n] (the reduced axis last and contiguous).
package func softmaxRows(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, n: Int, log: Bool) {
    parallelFor(rows, grain: max(1, parallelGrain / max(n, 1))) { r in
        for row in r {
            let src = x + row * n, dst = y + row * n
            let m = contiguousReduce(.max, src, n)
            // Subtract the row maximum so exp never overflows.
            var s: Float = 0
            for i in 0..<n {
                let e = Foundation.exp(src[i] - m)
                dst[i] = e
                s += e
            }
            if log {
                // (x − m) − log s, not x − (m + log s): at |m| ≈ 1000 the sum would round away ~1e-4.
                let ls = Foundation.log(s)
                for i in 0..<n { dst[i] = (src[i] - m) - ls }
            } else {
                let inv = 1 / s
                for i in 0..<n { dst[i] *= inv }
            }
        }
    }
}

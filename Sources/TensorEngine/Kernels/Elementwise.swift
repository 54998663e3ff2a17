import Foundation

/// A scalar function applied element by element; generic specialisation turns `apply` into a vectorised loop.
package protocol UnaryKernel {
    static func apply(_ x: Float) -> Float
}

/// A scalar function of two operands.
package protocol BinaryKernel {
    static func apply(_ a: Float, _ b: Float) -> Float
}

/// y[i] = K(x[i]) over `count` elements, split across threads.
@inline(__always)
package func unaryForward<K: UnaryKernel>(
    _: K.Type, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int
) {
    parallelFor(count) { r in
        for i in r { y[i] = K.apply(x[i]) }
    }
}

/// out[i] = mask[i] != 0 ? a[i] : b[i] over `count` elements (operands already broadcast), split across threads.
package func selectForward(
    _ mask: UnsafePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
    _ out: UnsafeMutablePointer<Float>, _ count: Int
) {
    parallelFor(count) { r in
        for i in r { out[i] = mask[i] != 0 ? a[i] : b[i] }
    }
}

/// The broadcast shape of two shapes by NumPy rules, or nil if they are incompatible.
package func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
    let n = max(a.count, b.count)
    var out = [Int](repeating: 1, count: n)
    for i in 0..<n {
        let da = i < n - a.count ? 1 : a[i - (n - a.count)]
        let db = i < n - b.count ? 1 : b[i - (n - b.count)]
        if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else { return nil }
    }
    return out
}

/// Strides of `shape` seen inside `outShape` (right-aligned), 0 along broadcast dimensions.
package func broadcastStrides(_ shape: [Int], into outShape: [Int]) -> [Int] {
    let pad = outShape.count - shape.count
    let own = Tensor.strides(of: shape)
    return (0..<outShape.count).map { i in
        i < pad || shape[i - pad] == 1 ? 0 : own[i - pad]
    }
}

/// Merges adjacent dimensions that are contiguous for every operand, so the inner loop runs as long as possible.
package func coalesce(_ shape: [Int], _ strides: [[Int]]) -> (shape: [Int], strides: [[Int]]) {
    var dims: [Int] = []
    var st: [[Int]] = Array(repeating: [], count: strides.count)
    for i in 0..<shape.count where shape[i] != 1 {
        if let last = dims.last,
            strides.indices.allSatisfy({ k in st[k].last! == strides[k][i] * shape[i] })
        {
            dims[dims.count - 1] = last * shape[i]
            for k in strides.indices { st[k][st[k].count - 1] = strides[k][i] }
        } else {
            dims.append(shape[i])
            for k in strides.indices { st[k].append(strides[k][i]) }
        }
    }
    if dims.isEmpty { return ([1], strides.map { _ in [1] }) }
    return (dims, st)
}

/// out = K(a, b) with NumPy broadcasting. `outShape` must be the broadcast shape of the two.
package func binaryForward<K: BinaryKernel>(
    _: K.Type, _ a: UnsafePointer<Float>, _ aShape: [Int], _ b: UnsafePointer<Float>, _ bShape: [Int],
    _ out: UnsafeMutablePointer<Float>, _ outShape: [Int]
) {
    let total = Tensor.elementCount(outShape)
    guard total > 0 else { return }  // a zero-size inner dimension would divide by zero below
    if aShape == bShape {
        parallelFor(total) { r in for i in r { out[i] = K.apply(a[i], b[i]) } }
        return
    }
    let aCount = Tensor.elementCount(aShape), bCount = Tensor.elementCount(bShape)
    if bCount == 1 {
        let s = b[0]
        parallelFor(total) { r in for i in r { out[i] = K.apply(a[i], s) } }
        return
    }
    if aCount == 1 {
        let s = a[0]
        parallelFor(total) { r in for i in r { out[i] = K.apply(s, b[i]) } }
        return
    }
    let (dims, st) = coalesce(
        outShape, [broadcastStrides(aShape, into: outShape), broadcastStrides(bShape, into: outShape)])
    let inner = dims.last!
    let sa = st[0].last!, sb = st[1].last!
    let rows = total / inner
    // Each outer row: find the operands' offsets from the row's multi-index, then a strided inner loop.
    parallelFor(rows, grain: max(1, parallelGrain / inner)) { r in
        for row in r {
            var rem = row, oa = 0, ob = 0
            var d = dims.count - 2
            while d >= 0 {
                let idx = rem % dims[d]
                rem /= dims[d]
                oa += idx * st[0][d]
                ob += idx * st[1][d]
                d -= 1
            }
            let o = out + row * inner
            let pa = a + oa, pb = b + ob
            if sa == 1 && sb == 1 {
                for i in 0..<inner { o[i] = K.apply(pa[i], pb[i]) }
            } else if sa == 1 && sb == 0 {
                let v = pb[0]
                for i in 0..<inner { o[i] = K.apply(pa[i], v) }
            } else if sa == 0 && sb == 1 {
                let v = pa[0]
                for i in 0..<inner { o[i] = K.apply(v, pb[i]) }
            } else {
                for i in 0..<inner { o[i] = K.apply(pa[i * sa], pb[i * sb]) }
            }
        }
    }
}

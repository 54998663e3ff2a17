extension Tensor {
    /// The same elements under a new shape (one dimension may be -1). Shares storage; d = g reshaped back.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var dims = newShape
        if let hole = dims.firstIndex(of: -1) {
            let known = dims.enumerated().filter { $0.offset != hole }.map(\.element).reduce(1, *)
            precondition(known > 0 && count % known == 0, "reshape: cannot infer -1 in \(newShape) for shape \(shape)")
            dims[hole] = count / known
        }
        precondition(Tensor.elementCount(dims) == count, "reshape: \(shape) (\(count) elements) to \(newShape)")
        if dims == shape { return self }
        let out = Tensor(storage: storage, shape: dims)
        let inShape = shape
        return Tensor.record("reshape", out, [self]) { g, _ in [g.reshaped(inShape)] }
    }

    /// Flattens dimensions from `start` on into one.
    public func flattened(from start: Int = 1) -> Tensor {
        reshaped(Array(shape[..<start]) + [shape[start...].reduce(1, *)])
    }

    /// Reorders dimensions: output dimension i is input dimension `order[i]`. Copies; d = g permuted back.
    public func permuted(_ order: [Int]) -> Tensor {
        precondition(order.sorted() == Array(0..<rank), "permute: \(order) is not a permutation for shape \(shape)")
        if order == Array(0..<rank) { return self }
        let outShape = order.map { shape[$0] }
        let inStrides = strides
        let src = order.map { inStrides[$0] }
        let out = Tensor.make(shape: outShape) { dst in
            stridedCopy(from: storage.base, strides: src, shape: outShape, to: dst.baseAddress!)
        }
        var inverse = [Int](repeating: 0, count: rank)
        for (i, o) in order.enumerated() { inverse[o] = i }
        return Tensor.record("permute", out, [self]) { g, _ in [g.permuted(inverse)] }
    }

    /// Swaps two dimensions (the last two by default).
    public func transposed(_ a: Int = -2, _ b: Int = -1) -> Tensor {
        var order = Array(0..<rank)
        order.swapAt(a < 0 ? a + rank : a, b < 0 ? b + rank : b)
        return permuted(order)
    }

    /// Materialises this tensor broadcast to `target` (NumPy rules). d = g summed back to this shape.
    public func broadcast(to target: [Int]) -> Tensor {
        if shape == target { return self }
        precondition(broadcastShape(shape, target) == target, "broadcast: \(shape) does not broadcast to \(target)")
        let out = Tensor.make(shape: target) { dst in
            stridedCopy(from: storage.base, strides: broadcastStrides(shape, into: target), shape: target,
                        to: dst.baseAddress!)
        }
        let inShape = shape
        return Tensor.record("broadcast", out, [self]) { g, _ in [g.sumToShape(inShape)] }
    }

    /// Inserts a dimension of size 1 at `axis`.
    public func expandingDims(at axis: Int) -> Tensor {
        var s = shape
        s.insert(1, at: axis < 0 ? axis + rank + 1 : axis)
        return reshaped(s)
    }

    /// Removes dimensions of size 1 (only `axis` when given).
    public func squeezed(at axis: Int? = nil) -> Tensor {
        if let axis {
            let a = axis < 0 ? axis + rank : axis
            precondition(shape[a] == 1, "squeeze: axis \(axis) of \(shape) is not 1")
            var s = shape
            s.remove(at: a)
            return reshaped(s)
        }
        return reshaped(shape.filter { $0 != 1 })
    }
}

/// Copies a strided view of `src` (strides in elements, 0 for broadcast) into contiguous `dst` of `shape`.
package func stridedCopy(from src: UnsafePointer<Float>, strides: [Int], shape: [Int], to dst: UnsafeMutablePointer<Float>) {
    let total = Tensor.elementCount(shape)
    guard total > 0 else { return }
    let (dims, st) = coalesce(shape, [strides, Tensor.strides(of: shape)])
    let s = st[0]
    let inner = dims.last!, si = s.last!
    let rows = total / inner
    parallelFor(rows, grain: max(1, parallelGrain / inner)) { r in
        for row in r {
            var rem = row, off = 0
            var d = dims.count - 2
            while d >= 0 {
                off += (rem % dims[d]) * s[d]
                rem /= dims[d]
                d -= 1
            }
            let o = dst + row * inner
            let p = src + off
            if si == 1 {
                o.update(from: p, count: inner)
            } else {
                for i in 0..<inner { o[i] = p[i * si] }
            }
        }
    }
}

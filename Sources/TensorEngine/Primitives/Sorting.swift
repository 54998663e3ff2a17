/// Ordering ops along an axis. None is recorded on the graph: their results are values and positions (positions as
/// floats, exact below 2²⁴). To differentiate through a sort or top-k, `gather` with the returned indices.
extension Tensor {
    /// Position of the largest entry along `axis` (the first on ties; NaN counts as largest):
    /// [..., n, ...] → [..., ...], or [..., 1, ...] keeping dims. With no axis, the flat position over all
    /// elements (shape [] or all ones). Not recorded.
    public func argmax(axis: Int? = nil, keepingDims: Bool = false) -> Tensor {
        argExtremum(axis, keepingDims, largest: true)
    }

    /// Position of the smallest entry along `axis`; see `argmax`. Not recorded.
    public func argmin(axis: Int? = nil, keepingDims: Bool = false) -> Tensor {
        argExtremum(axis, keepingDims, largest: false)
    }

    private func argExtremum(_ axis: Int?, _ keepingDims: Bool, largest: Bool) -> Tensor {
        precondition(count > 0, "\(largest ? "argmax" : "argmin"): empty tensor of shape \(shape)")
        let (outer, n, inner): (Int, Int, Int)
        let outShape: [Int]
        if let axis {
            let a = normalizedAxis(axis, largest ? "argmax" : "argmin")
            (outer, n, inner) = split(around: a)
            outShape = reducedShape([a], keepingDims: keepingDims)
        } else {
            (outer, n, inner) = (1, count, 1)
            outShape = keepingDims ? shape.map { _ in 1 } : []
        }
        return Tensor.make(shape: outShape) { out in
            argExtremumLines(storage.base, outer: outer, n: n, inner: inner, largest: largest, out.baseAddress!)
        }
    }

    /// The entries sorted along `axis`, ascending unless `descending`, with their original positions.
    /// Stable: equal values keep their order; NaN sorts as the largest. Shapes as this tensor's. Not recorded.
    public func sorted(axis: Int = -1, descending: Bool = false) -> (values: Tensor, indices: Tensor) {
        let a = normalizedAxis(axis, "sorted")
        return ordered(a, descending: descending, take: shape[a], onlyKth: false, keepingDims: true)
    }

    /// The `k` largest (or smallest) entries along `axis`, best first, and their positions:
    /// [..., n, ...] → [..., k, ...]. Ties go to the lower position. Uses selection, not a full sort. Not recorded.
    public func topK(_ k: Int, axis: Int = -1, largest: Bool = true) -> (values: Tensor, indices: Tensor) {
        let a = normalizedAxis(axis, "topK")
        precondition(k >= 0 && k <= shape[a], "topK: k = \(k) for axis \(axis) of shape \(shape)")
        if k == 0 {
            var s = shape
            s[a] = 0
            return (Tensor.zeros(s), Tensor.zeros(s))
        }
        return ordered(a, descending: largest, take: k, onlyKth: false, keepingDims: true)
    }

    /// The `k`-th smallest entry along `axis`, counting from 1 like torch.kthvalue, and its position:
    /// [..., n, ...] → [..., ...] (or [..., 1, ...] keeping dims). Ties are ordered by position. Not recorded.
    public func kthValue(_ k: Int, axis: Int = -1, keepingDims: Bool = false) -> (values: Tensor, indices: Tensor) {
        let a = normalizedAxis(axis, "kthValue")
        precondition(k >= 1 && k <= shape[a], "kthValue: k = \(k) for axis \(axis) of shape \(shape)")
        return ordered(a, descending: false, take: k, onlyKth: true, keepingDims: keepingDims)
    }

    private func ordered(_ a: Int, descending: Bool, take k: Int, onlyKth: Bool, keepingDims: Bool)
        -> (values: Tensor, indices: Tensor)
    {
        let (outer, n, inner) = split(around: a)
        var outShape = shape
        outShape[a] = onlyKth ? 1 : k
        if onlyKth && !keepingDims { outShape.remove(at: a) }
        if Tensor.elementCount(outShape) == 0 { return (Tensor.zeros(outShape), Tensor.zeros(outShape)) }
        let indices = TensorStorage(uninitializedCount: Tensor.elementCount(outShape))
        let values = Tensor.make(shape: outShape) { out in
            orderLines(storage.base, outer: outer, n: n, inner: inner, descending: descending, take: k,
                       onlyKth: onlyKth, values: out.baseAddress!, indices: indices.base)
        }
        return (values, Tensor(storage: indices, shape: outShape))
    }
}

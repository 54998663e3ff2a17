/// Order statistics over all elements, for global magnitude pruning and top-k masks over 10⁵–10⁷ weights.
/// Each copies the elements once and runs a selection (expected O(n)), never a full sort. Not recorded.
extension Tensor {
    /// The `k`-th smallest element (counting from 1) over all elements; NaN counts as the largest.
    public func kthSmallest(_ k: Int) -> Float { Tensor.kthSmallest(k, in: [self]) }

    /// The `k`-th smallest element (counting from 1) over the elements of all `tensors` together.
    public static func kthSmallest(_ k: Int, in tensors: [Tensor]) -> Float {
        let n = tensors.reduce(0) { $0 + $1.count }
        precondition(k >= 1 && k <= n, "kthSmallest: k = \(k) for \(n) elements")
        let buf = UnsafeMutableBufferPointer<Float>.allocate(capacity: n)
        defer { buf.deallocate() }
        var at = 0
        for t in tensors {
            (buf.baseAddress! + at).update(from: t.storage.base, count: t.count)
            at += t.count
        }
        selectInPlace(buf, k - 1, by: ascends)
        return buf[k - 1]
    }

    /// The threshold the top `k` elements reach: the k-th largest (the k-th smallest when `largest` is false).
    /// `x.greaterEqual(Tensor(t))` then keeps the k largest, plus any further elements tied with the threshold.
    public func topKThreshold(_ k: Int, largest: Bool = true) -> Float {
        Tensor.topKThreshold(k, in: [self], largest: largest)
    }

    /// `topKThreshold` over the elements of all `tensors` together (a global threshold across layers).
    public static func topKThreshold(_ k: Int, in tensors: [Tensor], largest: Bool = true) -> Float {
        let n = tensors.reduce(0) { $0 + $1.count }
        precondition(k >= 1 && k <= n, "topKThreshold: k = \(k) for \(n) elements")
        return kthSmallest(largest ? n - k + 1 : k, in: tensors)
    }
}

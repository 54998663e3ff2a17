/// Physical channel removal (Chase's final slicing): copy the kept rows or columns of a parameter into a smaller
/// tensor. Host utilities, not recorded: the result is a fresh constant, as a new layer's parameter would be.
extension Tensor {
    /// The entries at `indices` along `axis`, in the given order, as a new tensor that records nothing:
    /// a conv weight [O, C, KH, KW] keeping output channels is `keeping(outputs, along: 0)`, keeping input channels
    /// `keeping(inputs, along: 1)`; a BN vector [C] is `keeping(channels, along: 0)`.
    public func keeping(_ indices: [Int], along axis: Int) -> Tensor {
        let a = normalizedAxis(axis, "keeping")
        for i in indices {
            precondition(i >= 0 && i < shape[a], "keeping: index \(i) out of range for axis \(axis) of \(shape)")
        }
        let (outer, n, inner) = split(around: a)
        var outShape = shape
        outShape[a] = indices.count
        let src = storage.base
        return Tensor.make(shape: outShape) { dst in
            guard let d = dst.baseAddress else { return }
            for o in 0..<outer {
                for (k, i) in indices.enumerated() {
                    (d + (o * indices.count + k) * inner).update(from: src + (o * n + i) * inner, count: inner)
                }
            }
        }
    }
}

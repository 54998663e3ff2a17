/// Counting and encoding of integer labels (stored as floats). Not recorded.
extension Tensor {
    /// How often each value 0, 1, 2, … occurs among the elements (whole non-negative numbers), or the sum of
    /// `weights` (same shape) at each: any shape → [max(largest + 1, minLength)]. Sums run in element order
    /// in double precision. Not recorded.
    public func bincount(weights: Tensor? = nil, minLength: Int = 0) -> Tensor {
        if let weights {
            precondition(weights.shape == shape, "bincount: weights \(weights.shape) for values \(shape)")
        }
        let idx = indexValues("bincount", bound: Int(Int32.max))
        let length = Swift.max((idx.max() ?? -1) + 1, minLength)
        var sums = [Double](repeating: 0, count: length)
        if let weights {
            weights.withUnsafeElements { w in for (i, c) in idx.enumerated() { sums[c] += Double(w[i]) } }
        } else {
            for c in idx { sums[c] += 1 }
        }
        return Tensor([length], sums.map { Float($0) })
    }

    /// One-hot encoding of class values in `0..<classes`: shape S → [S..., classes], 1 at the class, 0 elsewhere.
    /// Not recorded.
    public func oneHot(classes: Int) -> Tensor {
        let idx = indexValues("oneHot", bound: classes)
        return Tensor.make(shape: shape + [classes]) { out in
            out.update(repeating: 0)
            for (i, c) in idx.enumerated() { out[i * classes + c] = 1 }
        }
    }
}

extension Tensor {
    /// A tensor filled with `value`.
    public static func full(_ shape: [Int], _ value: Float) -> Tensor {
        Tensor(storage: TensorStorage(repeating: value, count: elementCount(shape)), shape: shape)
    }
    public static func zeros(_ shape: [Int]) -> Tensor { full(shape, 0) }
    public static func ones(_ shape: [Int]) -> Tensor { full(shape, 1) }
    public static func zeros(like t: Tensor) -> Tensor { full(t.shape, 0) }
    public static func ones(like t: Tensor) -> Tensor { full(t.shape, 1) }

    /// start, start+step, … below `end`, as a 1-D tensor.
    public static func arange(_ start: Float = 0, _ end: Float, step: Float = 1) -> Tensor {
        precondition(step != 0, "arange: step must be nonzero")
        let n = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        return make(shape: [n]) { out in for i in 0..<n { out[i] = start + Float(i) * step } }
    }

    /// Uniform values in [low, high).
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1, using rng: inout RandomGenerator) -> Tensor {
        make(shape: shape) { out in
            let p = out.baseAddress!
            rng.fillUniform(out.count) { i, u in p[i] = low + (high - low) * u }
        }
    }

    /// Normal values with the given mean and standard deviation.
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1, using rng: inout RandomGenerator) -> Tensor {
        make(shape: shape) { out in
            let p = out.baseAddress!
            rng.fillNormal(out.count) { i, z in p[i] = mean + std * z }
        }
    }

    /// 1 with probability `p`, else 0.
    public static func bernoulli(_ shape: [Int], p: Float, using rng: inout RandomGenerator) -> Tensor {
        make(shape: shape) { out in
            let q = out.baseAddress!
            rng.fillUniform(out.count) { i, u in q[i] = u < p ? 1 : 0 }
        }
    }

    /// Uniform integers in `low..<high`, stored as floats (class labels, indices).
    public static func integers(_ shape: [Int], low: Int, high: Int, using rng: inout RandomGenerator) -> Tensor {
        precondition(high > low, "integers: empty range \(low)..<\(high)")
        let span = Float(high - low)
        return make(shape: shape) { out in
            let q = out.baseAddress!
            rng.fillUniform(out.count) { i, u in q[i] = Float(low) + Swift.min((u * span).rounded(.down), span - 1) }
        }
    }
}

import TensorEngine

/// Distinct values 0.11 apart, none within 0.05 of 0, in a seeded random order (about ±0.055·n at the ends):
/// no ties, maxima or kinks within the finite-difference step of 0.01.
func spread(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    let n = shape.reduce(1, *)
    let order = rng.permutation(n)
    return Tensor(shape, order.map { (Float($0) - Float(n / 2)) * 0.11 * scale + 0.05 })
}

/// Positive values in [low, high) (inputs of log, sqrt, pow).
func positive(_ shape: [Int], seed: UInt64, low: Float = 0.5, high: Float = 2) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    return Tensor.uniform(shape, low: low, high: high, using: &rng)
}

/// Integer values in 0..<high stored as floats.
func ints(_ shape: [Int], _ values: [Int]) -> Tensor { Tensor(shape, values.map(Float.init)) }

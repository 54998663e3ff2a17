public import TensorEngine

/// The 4-bit grids of Stable-SPAM's simulated low-precision runs (methods/spam.md §c).
///
/// A local stand-in for TensorEngine's `fakeQuantized` (branch `vision`), with the same formulas: once that op is
/// in the tree, `QuantizedLinear` should call it and this file can go.
public enum LowBitFormat: String, Sendable, CaseIterable, Codable {
    /// Asymmetric min/max INT4 (the W4 weights): scale = max(max − min, 1e-5)/15, zero = clamp(−round(min/scale),
    /// 0, 15), q = clamp(round(x/scale) + zero, 0, 15), x̂ = (q − zero)·scale.
    case int4Asymmetric = "int4_asymmetric"
    /// Symmetric INT4 with the 2 largest |x| of each group kept exact (the A4 activations): s = max(max|rest|,
    /// 1e-6), q = clamp(round(7x/s), −8, 7), x̂ = q·s/7.
    case int4SymmetricTop2 = "int4_symmetric_top2"
    /// The code's "FP4": α = max(max|rest|, 1e-6), x̂ = (α/4)·round(4x/α) (nine levels), top-2 |x| kept exact.
    case fp4UniformTop2 = "fp4_uniform_top2"
}

/// A quantise–dequantise step: a format and the number of consecutive elements that share one scale.
public struct LowBitQuantizer: Sendable, Equatable {
    /// The grid.
    public var format: LowBitFormat
    /// Elements per group along the last dimension (a row's last group may be shorter).
    public var groupSize: Int

    /// `format` per group of `groupSize`.
    public init(_ format: LowBitFormat, groupSize: Int = 256) {
        precondition(groupSize >= 1, "LowBitQuantizer: group size \(groupSize)")
        self.format = format
        self.groupSize = groupSize
    }

    /// Rounds `x[0..<n]` (one group) into `y`.
    func quantizeGroup(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        switch format {
        case .int4Asymmetric:
            var lo = x[0]
            var hi = x[0]
            for i in 0..<n {
                lo = min(lo, x[i])
                hi = max(hi, x[i])
            }
            let scale = max(hi - lo, 1e-5) / 15
            let zero = min(max((-lo / scale).rounded(.toNearestOrEven), 0), 15)
            for i in 0..<n {
                let q = min(max((x[i] / scale).rounded(.toNearestOrEven) + zero, 0), 15)
                y[i] = (q - zero) * scale
            }
        case .int4SymmetricTop2, .fp4UniformTop2:
            // The two largest |x| (first occurrences) are kept exact; the rest set the scale.
            var first = -1
            var second = -1
            for i in 0..<n {
                if first < 0 || x[i].magnitude > x[first].magnitude {
                    second = first
                    first = i
                } else if second < 0 || x[i].magnitude > x[second].magnitude {
                    second = i
                }
            }
            var peak: Float = 0
            for i in 0..<n where i != first && i != second { peak = max(peak, x[i].magnitude) }
            let s = max(peak, 1e-6)
            for i in 0..<n {
                if i == first || i == second {
                    y[i] = x[i]
                } else if format == .int4SymmetricTop2 {
                    y[i] = min(max((x[i] * 7 / s).rounded(.toNearestOrEven), -8), 7) * s / 7
                } else {
                    y[i] = (s / 4) * (4 * x[i] / s).rounded(.toNearestOrEven)
                }
            }
        }
    }
}

extension Tensor {
    /// Quantise–dequantise every group of `quantizer.groupSize` consecutive elements of each row (last dimension)
    /// to its own grid; same shape out. Records on the graph with a straight-through backward (dx = g).
    public func simulatedLowBit(_ quantizer: LowBitQuantizer) -> Tensor {
        let x = self
        let row = Swift.max(x.shape.last ?? 1, 1)
        let rows = x.count / row
        let group = quantizer.groupSize
        let out = x.withUnsafeElements { src in
            Tensor.make(shape: x.shape) { dst in
                guard let s = src.baseAddress, let d = dst.baseAddress else { return }
                parallelFor(rows, grain: Swift.max(1, parallelGrain / row)) { r in
                    for i in r {
                        var lo = 0
                        while lo < row {
                            let n = Swift.min(group, row - lo)
                            quantizer.quantizeGroup(s + i * row + lo, d + i * row + lo, n)
                            lo += n
                        }
                    }
                }
            }
        }
        // Straight-through estimator: d x̂/dx is taken to be the identity.
        return Tensor.record("simulated_low_bit", out, [x]) { g, _ in [g] }
    }
}

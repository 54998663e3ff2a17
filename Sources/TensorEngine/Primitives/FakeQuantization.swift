/// The grid a group of values is rounded to by fake quantisation.
public enum FakeQuantFormat: Hashable, Sendable {
    /// Asymmetric min/max integers of `bits` bits (Stable-SPAM's INT4 weights; round-to-nearest RTN at 4 or 8 bits):
    /// scale = max(max − min, 1e-5)/(2ᵇ − 1), zero = clamp(−round(min/scale), 0, 2ᵇ − 1),
    /// q = clamp(round(x/scale) + zero, 0, 2ᵇ − 1), x̂ = (q − zero)·scale.
    case intAsymmetric(bits: Int)
    /// Symmetric integers of `bits` bits with the `outliers` largest-|x| entries of each group kept exact
    /// (Stable-SPAM's INT4 activations, 2 outliers): scale = max(max|rest|, 1e-6),
    /// q = clamp(round(x·(2ᵇ⁻¹ − 1)/scale), −2ᵇ⁻¹, 2ᵇ⁻¹ − 1), x̂ = q·scale/(2ᵇ⁻¹ − 1).
    case intSymmetric(bits: Int, outliers: Int)
    /// Stable-SPAM's "FP4" as its code computes it (nominally E1M2, in effect uniform): α = max(max|rest|, 1e-6),
    /// x̂ = (α/4)·round(4x/α), nine levels {0, ±¼, ±½, ±¾, ±1}·α, with the `outliers` largest |x| kept exact.
    case fp4Uniform(outliers: Int)
    /// The E2M1 floating-point grid ±{0, 0.5, 1, 1.5, 2, 3, 4, 6} scaled by α/6 (α = max(max|rest|, 1e-6)), round to
    /// nearest with ties to the even code, the `outliers` largest |x| kept exact. Not what Stable-SPAM's runs use.
    case fp4E2M1(outliers: Int)
}

/// A fake quantiser: a format and the number of consecutive elements (row-major) that share one scale.
public struct FakeQuantization: Hashable, Sendable {
    /// The grid.
    public var format: FakeQuantFormat
    /// Elements per group; the tensor's element count must be a multiple of it. Groups run along the last
    /// dimension when it is a multiple of the group size (a weight [out, in] is grouped along `in`).
    public var groupSize: Int

    /// A quantiser for `format` with `groupSize` elements per group.
    public init(_ format: FakeQuantFormat, groupSize: Int = 256) {
        switch format {
        case .intAsymmetric(let bits): precondition((1...16).contains(bits), "FakeQuantization: \(bits) bits")
        case .intSymmetric(let bits, let k):
            precondition((2...16).contains(bits) && k >= 0, "FakeQuantization: \(bits) bits, \(k) outliers")
        case .fp4Uniform(let k), .fp4E2M1(let k): precondition(k >= 0, "FakeQuantization: \(k) outliers")
        }
        precondition(groupSize >= 1, "FakeQuantization: group size \(groupSize)")
        self.format = format
        self.groupSize = groupSize
    }

    /// Stable-SPAM's W4 weights: asymmetric INT4 per group of 256.
    public static let int4Weights = FakeQuantization(.intAsymmetric(bits: 4))
    /// Stable-SPAM's A4 activations: symmetric INT4 per group of 256 with the top-2 |x| kept exact.
    public static let int4Activations = FakeQuantization(.intSymmetric(bits: 4, outliers: 2))
    /// Stable-SPAM's FP4 (weights and activations alike): the uniform 9-level grid per group of 256, top-2 kept.
    public static let fp4 = FakeQuantization(.fp4Uniform(outliers: 2))
}

extension Tensor {
    /// Quantise–dequantise: every group of `quantizer.groupSize` consecutive elements is rounded to its own grid
    /// (see `FakeQuantFormat`), same shape out. Records on the graph with a straight-through backward: dx = g, for
    /// weight and activation quantisers alike (the master values get the gradient of the quantised ones).
    public func fakeQuantized(_ quantizer: FakeQuantization) -> Tensor {
        let x = self
        precondition(count % quantizer.groupSize == 0,
                     "fakeQuantized: \(count) elements of \(shape) do not split into groups of \(quantizer.groupSize)")
        let out = Tensor.make(shape: shape) { y in
            fakeQuantForward(quantizer.format, group: quantizer.groupSize, x.storage.base, y.baseAddress!,
                             count: x.count)
        }
        // Straight-through estimator: d x̂/dx is taken to be the identity.
        return Tensor.record("fake_quantize", out, [x]) { g, _ in [g] }
    }
}

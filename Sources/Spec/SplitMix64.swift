/// A small seeded generator (SplitMix64) for sweep draws: the same seed gives the same children on
/// every platform and Swift version, which `SystemRandomNumberGenerator` cannot promise.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A double in [0, 1) from the top 53 bits, so every value is exactly representable.
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// An integer in `range`, without modulo bias. Written out rather than `Int.random(in:using:)`,
    /// whose algorithm the standard library does not promise to keep.
    mutating func integer(in range: ClosedRange<Int>) -> Int {
        let span = UInt64(bitPattern: Int64(range.upperBound &- range.lowerBound)) &+ 1
        guard span != 0 else { return Int(truncatingIfNeeded: next()) }
        let limit = UInt64.max - (UInt64.max % span)
        var x = next()
        while x >= limit { x = next() }
        return range.lowerBound &+ Int(truncatingIfNeeded: x % span)
    }
}

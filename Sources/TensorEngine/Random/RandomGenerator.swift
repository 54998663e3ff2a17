import Foundation

/// A counter-based random generator (Philox4x32-10).
///
/// Value i of a draw depends only on the key, the draw's starting counter and i, so filling a tensor in parallel
/// gives the same numbers whatever the thread count. The whole state is two integers (`seed`, `offset`), which
/// checkpoints save to resume a run's random stream exactly. There is no global generator: pass one in.
public struct RandomGenerator: Sendable, Equatable, Codable {
    /// The key.
    public let seed: UInt64
    /// Blocks of four 32-bit values consumed so far.
    public private(set) var offset: UInt64

    public init(seed: UInt64, offset: UInt64 = 0) {
        self.seed = seed
        self.offset = offset
    }

    /// An independent stream for a named purpose (data order, dropout, noise), derived from this one's key.
    public func derived(_ stream: UInt64) -> RandomGenerator {
        let b = Philox.block(counter: (stream, 0xD1B5_4A32_D192_ED03), key: seed)
        return RandomGenerator(seed: UInt64(b.0) | UInt64(b.1) << 32)
    }

    /// Reserves `count` values and returns the first block's counter.
    package mutating func reserve(_ count: Int) -> UInt64 {
        let start = offset
        offset &+= UInt64((count + 3) / 4)
        return start
    }

    /// `count` uniform values in [0, 1), written by `write(i, u)` in parallel.
    package mutating func fillUniform(_ count: Int, _ write: (Int, Float) -> Void) {
        let start = reserve(count)
        let key = seed
        let blocks = (count + 3) / 4
        parallelFor(blocks, grain: 4096) { r in
            for b in r {
                let v = Philox.block(counter: (start &+ UInt64(b), 0), key: key)
                let base = b * 4
                // Lanes written one by one: no per-block array on this hot path.
                if base < count { write(base, Philox.unitFloat(v.0)) }
                if base + 1 < count { write(base + 1, Philox.unitFloat(v.1)) }
                if base + 2 < count { write(base + 2, Philox.unitFloat(v.2)) }
                if base + 3 < count { write(base + 3, Philox.unitFloat(v.3)) }
            }
        }
    }

    /// `count` standard normal values (Box–Muller on pairs of lanes), written by `write(i, z)` in parallel.
    package mutating func fillNormal(_ count: Int, _ write: (Int, Float) -> Void) {
        let start = reserve(count)
        let key = seed
        let blocks = (count + 3) / 4
        parallelFor(blocks, grain: 4096) { r in
            for b in r {
                let v = Philox.block(counter: (start &+ UInt64(b), 1), key: key)
                let base = b * 4
                let (z0, z1) = Philox.boxMuller(v.0, v.1)
                let (z2, z3) = Philox.boxMuller(v.2, v.3)
                if base < count { write(base, z0) }
                if base + 1 < count { write(base + 1, z1) }
                if base + 2 < count { write(base + 2, z2) }
                if base + 3 < count { write(base + 3, z3) }
            }
        }
    }

    /// One uniform integer in `range` (host-side choices such as shuffles).
    public mutating func nextInt(in range: Range<Int>) -> Int {
        precondition(!range.isEmpty, "nextInt: empty range")
        let start = reserve(4)
        let v = Philox.block(counter: (start, 2), key: seed)
        let wide = UInt64(v.0) | UInt64(v.1) << 32
        return range.lowerBound + Int(wide % UInt64(range.count))
    }

    /// One uniform value in [0, 1).
    public mutating func nextUniform() -> Double {
        let start = reserve(4)
        let v = Philox.block(counter: (start, 3), key: seed)
        return Double(UInt64(v.0) << 21 ^ UInt64(v.1) >> 11) / Double(1 << 53)
    }

    /// A uniformly random permutation of 0..<n (Fisher–Yates).
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        if n < 2 { return p }
        for i in stride(from: n - 1, to: 0, by: -1) { p.swapAt(i, nextInt(in: 0..<(i + 1))) }
        return p
    }
}

/// The Philox4x32-10 block function (Salmon et al., SC'11).
package enum Philox {
    @inline(__always)
    package static func block(counter: (UInt64, UInt64), key: UInt64) -> (UInt32, UInt32, UInt32, UInt32) {
        var c0 = UInt32(truncatingIfNeeded: counter.0), c1 = UInt32(truncatingIfNeeded: counter.0 >> 32)
        var c2 = UInt32(truncatingIfNeeded: counter.1), c3 = UInt32(truncatingIfNeeded: counter.1 >> 32)
        var k0 = UInt32(truncatingIfNeeded: key), k1 = UInt32(truncatingIfNeeded: key >> 32)
        for _ in 0..<10 {
            let p0 = UInt64(0xD251_1F53) &* UInt64(c0)
            let p1 = UInt64(0xCD9E_8D57) &* UInt64(c2)
            let n0 = UInt32(truncatingIfNeeded: p1 >> 32) ^ c1 ^ k0
            let n2 = UInt32(truncatingIfNeeded: p0 >> 32) ^ c3 ^ k1
            c1 = UInt32(truncatingIfNeeded: p1)
            c3 = UInt32(truncatingIfNeeded: p0)
            c0 = n0
            c2 = n2
            k0 &+= 0x9E37_79B9
            k1 &+= 0xBB67_AE85
        }
        return (c0, c1, c2, c3)
    }

    /// A float in [0, 1) from the top 24 bits.
    @inline(__always) package static func unitFloat(_ w: UInt32) -> Float { Float(w >> 8) * (1 / 16_777_216) }

    @inline(__always) package static func boxMuller(_ a: UInt32, _ b: UInt32) -> (Float, Float) {
        // u1 in (0, 1] so the log is finite.
        let u1 = (Double(a) + 1) / 4_294_967_296
        let u2 = Double(b) / 4_294_967_296
        let r = (-2 * Foundation.log(u1)).squareRoot()
        let t = 2 * Double.pi * u2
        return (Float(r * Foundation.cos(t)), Float(r * Foundation.sin(t)))
    }
}

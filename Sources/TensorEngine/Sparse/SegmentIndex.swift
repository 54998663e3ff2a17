/// Which segment (node) each of `count` items (edges) belongs to, with the items grouped by segment once.
///
/// The grouping is what makes scatters deterministic and parallel: a scatter-add onto nodes runs over segments,
/// and each segment sums its own items in item order, so the result is the same for any thread count. It is
/// computed here with a stable counting sort and reused by every op that takes this index. Immutable.
///
///     let dst = SegmentIndex([1, 0, 1, 2], segmentCount: 3)   // item 0 → node 1, item 1 → node 0, …
///     dst.itemCount(ofSegment: 1)                            // 2 (items 0 and 2)
public final class SegmentIndex: Sendable {
    /// The segment of each item, each in `0..<segmentCount`.
    public let segments: [Int32]
    /// Number of segments (nodes).
    public let segmentCount: Int
    /// Items of segment s are `order[offsets[s]..<offsets[s + 1]]` (`segmentCount + 1` entries).
    package let offsets: [Int]
    /// Item ids grouped by segment, in item order within a segment; nil when `segments` is already sorted,
    /// so the items of segment s are simply `offsets[s]..<offsets[s + 1]`.
    package let order: [Int32]?

    /// An index from `segments[i]` (each in `0..<segmentCount`) for item i.
    public init(_ segments: [Int32], segmentCount: Int) {
        precondition(segmentCount >= 0, "SegmentIndex: negative segment count \(segmentCount)")
        precondition(segments.count < Int(Int32.max), "SegmentIndex: \(segments.count) items exceed Int32 ids")
        var counts = [Int](repeating: 0, count: segmentCount + 1)
        var sorted = true
        var previous: Int32 = 0
        for (i, s) in segments.enumerated() {
            precondition(s >= 0 && Int(s) < segmentCount,
                         "SegmentIndex: item \(i) names segment \(s), outside 0..<\(segmentCount)")
            counts[Int(s) + 1] += 1
            if s < previous { sorted = false }
            previous = s
        }
        for s in 0..<segmentCount { counts[s + 1] += counts[s] }
        self.segments = segments
        self.segmentCount = segmentCount
        self.offsets = counts
        if sorted {
            self.order = nil
        } else {
            var next = Array(counts.dropLast())
            var order = [Int32](repeating: 0, count: segments.count)
            for (i, s) in segments.enumerated() {
                order[next[Int(s)]] = Int32(i)
                next[Int(s)] += 1
            }
            self.order = order
        }
    }

    /// An index from `Int` segment ids.
    public convenience init(_ segments: [Int], segmentCount: Int) {
        self.init(segments.map { s -> Int32 in
            precondition(s >= 0 && s < Int(Int32.max), "SegmentIndex: segment id \(s) out of range")
            return Int32(s)
        }, segmentCount: segmentCount)
    }

    /// Number of items (edges).
    public var count: Int { segments.count }

    /// Whether the items are already grouped (the segment ids never decrease).
    public var isSorted: Bool { order == nil }

    /// Items in segment `s`.
    public func itemCount(ofSegment s: Int) -> Int { offsets[s + 1] - offsets[s] }

    /// Items per segment (in-degrees when the items are edges and the segments their destinations).
    public var itemCounts: [Int] { (0..<segmentCount).map { offsets[$0 + 1] - offsets[$0] } }

    /// Runs `body` with raw pointers to the segment ids, the offsets and the grouped order (nil when sorted).
    /// With no items the id pointers are dangling but non-null; kernels never read them then.
    package func withPointers<R>(
        _ body: (_ segments: UnsafePointer<Int32>, _ offsets: UnsafePointer<Int>, _ order: UnsafePointer<Int32>?) -> R
    ) -> R {
        let dangling = UnsafePointer<Int32>(bitPattern: MemoryLayout<Int32>.alignment)!
        return segments.withUnsafeBufferPointer { s in
            offsets.withUnsafeBufferPointer { o in
                guard let order else { return body(s.baseAddress ?? dangling, o.baseAddress!, nil) }
                return order.withUnsafeBufferPointer { body(s.baseAddress ?? dangling, o.baseAddress!, $0.baseAddress ?? dangling) }
            }
        }
    }
}

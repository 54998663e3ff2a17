/// A directed edge list over nodes `0..<nodeCount` (COO): edge `k` goes from `source[k]` to `destination[k]`.
///
/// An undirected graph lists every edge in both directions, the convention message passing expects.
public struct EdgeList: Sendable, Equatable, Codable {
    /// Nodes are `0..<nodeCount`.
    public var nodeCount: Int
    /// Where each edge starts.
    public var source: [Int32]
    /// Where each edge ends.
    public var destination: [Int32]

    /// Edges from parallel arrays; every id must lie in `0..<nodeCount`.
    public init(nodeCount: Int, source: [Int32], destination: [Int32]) {
        precondition(source.count == destination.count,
                     "EdgeList: \(source.count) sources but \(destination.count) destinations")
        precondition(zip(source, destination).allSatisfy { $0 >= 0 && $1 >= 0 && $0 < nodeCount && $1 < nodeCount },
                     "EdgeList: node id outside 0..<\(nodeCount)")
        self.nodeCount = nodeCount
        self.source = source
        self.destination = destination
    }

    /// Number of directed edges.
    public var count: Int { source.count }

    /// Each edge in both directions, without duplicates or self-loops, sorted by (source, destination).
    public func symmetrized() -> EdgeList {
        var keys = Set<UInt64>(minimumCapacity: 2 * count)
        for (s, d) in zip(source, destination) where s != d {
            keys.insert(Self.key(s, d))
            keys.insert(Self.key(d, s))
        }
        let sorted = keys.sorted()
        return EdgeList(
            nodeCount: nodeCount, source: sorted.map { Int32(truncatingIfNeeded: $0 >> 32) },
            destination: sorted.map { Int32(truncatingIfNeeded: $0 & 0xFFFF_FFFF) })
    }

    /// Whether every edge also appears reversed.
    public var isSymmetric: Bool {
        let keys = Set(zip(source, destination).map { Self.key($0, $1) })
        return zip(source, destination).allSatisfy { keys.contains(Self.key($1, $0)) }
    }

    /// Out-degree of every node.
    public func outDegrees() -> [Int] {
        var d = [Int](repeating: 0, count: nodeCount)
        for s in source { d[Int(s)] += 1 }
        return d
    }

    /// Edge homophily: the fraction of edges whose endpoints share a class (1 when there are no edges).
    public func homophily(classes y: [Int]) -> Double {
        precondition(y.count == nodeCount, "homophily: \(y.count) labels for \(nodeCount) nodes")
        guard count > 0 else { return 1 }
        let same = zip(source, destination).reduce(0) { $0 + (y[Int($1.0)] == y[Int($1.1)] ? 1 : 0) }
        return Double(same) / Double(count)
    }

    /// Per-class homophily: for edges leaving nodes of class `c`, the fraction that end in class `c`
    /// (NaN for a class with no edges). On a symmetric list this is the share of class-`c` nodes'
    /// neighbours that are also of class `c`.
    public func classHomophily(classes y: [Int], classCount: Int) -> [Double] {
        precondition(y.count == nodeCount, "classHomophily: \(y.count) labels for \(nodeCount) nodes")
        var same = [Int](repeating: 0, count: classCount), all = same
        for (s, d) in zip(source, destination) {
            let c = y[Int(s)]
            all[c] += 1
            if y[Int(d)] == c { same[c] += 1 }
        }
        return zip(same, all).map { $1 == 0 ? .nan : Double($0) / Double($1) }
    }

    @inline(__always) static func key(_ s: Int32, _ d: Int32) -> UInt64 { UInt64(UInt32(s)) << 32 | UInt64(UInt32(d)) }
}

import Foundation
public import TensorEngine

/// A contextual stochastic block model: an undirected graph whose edges follow the classes with a chosen
/// per-class homophily, and node features `[N, featureDims]` drawn around a class centroid.
///
/// Class `c` has `n_c` nodes (long-tailed when `imbalanceRatio < 1`) and degree volume `V_c = n_c·averageDegree`.
/// A share `h_c` of that volume goes to edges inside the class (`h_c·V_c/2` edges); the rest is spread over the
/// other classes by a symmetric edge-count matrix `E_cc' = x_c·x_c'` whose row sums match `(1 − h_c)·V_c`
/// (found by a damped fixed-point iteration). So on the generated graph the fraction of class-`c` nodes'
/// neighbours that are also of class `c` is close to `h_c` — as long as no class needs more cross-class edges
/// than all others together can take, in which case the low-homophily classes come out somewhat higher.
/// Endpoints are uniform within a class; self-loops and duplicate edges are redrawn.
public struct ContextualSBM: Sendable, Codable, Equatable {
    /// Number of classes (blocks).
    public var classes: Int
    /// Nodes in the largest class.
    public var maxNodesPerClass: Int
    /// `n_min / n_max`; 1 is balanced.
    public var imbalanceRatio: Double
    /// Requested homophily per class, each in `[0, 1]`; one value applies to all classes.
    public var homophily: [Double]
    /// Mean node degree (edges counted at both ends).
    public var averageDegree: Double
    /// Width `F` of the node features.
    public var featureDims: Int
    /// Standard deviation of the class centroids; larger makes features more informative.
    public var featureSignal: Double
    /// Standard deviation of each node's features around its centroid.
    public var featureNoise: Double
    /// Per-class share of nodes in the train and validation masks (stratified); the rest is test.
    public var trainFraction: Double
    /// See `trainFraction`.
    public var validationFraction: Double

    /// A configuration; the default is a balanced, homophilous 1000-node graph.
    public init(classes: Int = 4, maxNodesPerClass: Int = 250, imbalanceRatio: Double = 1, homophily: [Double] = [0.8],
                averageDegree: Double = 8, featureDims: Int = 16, featureSignal: Double = 1, featureNoise: Double = 1,
                trainFraction: Double = 0.6, validationFraction: Double = 0.2) {
        self.classes = classes
        self.maxNodesPerClass = maxNodesPerClass
        self.imbalanceRatio = imbalanceRatio
        self.homophily = homophily
        self.averageDegree = averageDegree
        self.featureDims = featureDims
        self.featureSignal = featureSignal
        self.featureNoise = featureNoise
        self.trainFraction = trainFraction
        self.validationFraction = validationFraction
    }

    /// The requested homophily of class `c`.
    public func homophily(ofClass c: Int) -> Double { homophily.count == 1 ? homophily[0] : homophily[c] }

    /// Draws labels, edges, features and masks from `rng`.
    public func make(using rng: inout RandomGenerator) -> GraphDataset {
        precondition(classes >= 1 && maxNodesPerClass >= 2 && averageDegree >= 0 && featureDims >= 1
                     && (homophily.count == 1 || homophily.count == classes)
                     && homophily.allSatisfy { (0...1).contains($0) }
                     && trainFraction >= 0 && validationFraction >= 0 && trainFraction + validationFraction <= 1,
                     "ContextualSBM: invalid configuration \(self)")
        let counts = ClassImbalance.longTailedCounts(classes: classes, maxCount: maxNodesPerClass,
                                                     ratio: imbalanceRatio)
        let ids = shuffledLabels(counts: counts, using: &rng)
        var members = [[Int32]](repeating: [], count: classes)
        for (i, c) in ids.enumerated() { members[c].append(Int32(i)) }

        var keys = Set<UInt64>()
        let targets = edgeTargets(counts)
        for a in 0..<classes {
            for b in a..<classes {
                let possible = a == b ? counts[a] * (counts[a] - 1) / 2 : counts[a] * counts[b]
                let m = Swift.min(Int(targets[a][b].rounded()), possible)
                drawEdges(m, members[a], members[b], into: &keys, using: &rng)
            }
        }
        let ordered = keys.sorted()
        let edges = EdgeList(nodeCount: ids.count, source: ordered.map { Int32(truncatingIfNeeded: $0 >> 32) },
                             destination: ordered.map { Int32(truncatingIfNeeded: $0 & 0xFFFF_FFFF) }).symmetrized()

        let centroids = normals(classes * featureDims, using: &rng).map { $0 * Float(featureSignal) }
        var features = Tensor.normal([ids.count, featureDims], std: Float(featureNoise), using: &rng)
        features.withUnsafeMutableElements { p in
            for (i, c) in ids.enumerated() {
                for j in 0..<featureDims { p[i * featureDims + j] += centroids[c * featureDims + j] }
            }
        }
        let masks = stratifiedMasks(classes: ids, classCount: classes, trainFraction: trainFraction,
                                    validationFraction: validationFraction, using: &rng)
        return GraphDataset(
            name: "csbm", features: features, labels: labelTensor(ids), edges: edges, trainMask: masks.train,
            validationMask: masks.validation, testMask: masks.test, classCount: classes)
    }

    /// The per-class homophily the generator aims for: the request itself when it is feasible, otherwise
    /// what remains after capping the cross-class edges (see the type's documentation). Measure the generated
    /// graph with `EdgeList.classHomophily(classes:classCount:)`.
    public func expectedHomophily() -> [Double] {
        let counts = ClassImbalance.longTailedCounts(classes: classes, maxCount: maxNodesPerClass,
                                                     ratio: imbalanceRatio)
        let e = edgeTargets(counts)
        return (0..<classes).map { c in
            let inside = 2 * e[c][c]
            let across = (0..<classes).filter { $0 != c }.reduce(0.0) { $0 + e[Swift.min(c, $1)][Swift.max(c, $1)] }
            return inside + across > 0 ? inside / (inside + across) : homophily(ofClass: c)
        }
    }

    /// Expected undirected edge counts between classes `a ≤ b`: `h_c·V_c/2` inside, `x_a·x_b` across.
    func edgeTargets(_ counts: [Int]) -> [[Double]] {
        let volume = counts.map { Double($0) * averageDegree }
        let cross = (0..<classes).map { (1 - homophily(ofClass: $0)) * volume[$0] }
        let total = cross.reduce(0, +)
        var x = cross.map { total > 0 ? $0 / total.squareRoot() : 0 }
        for _ in 0..<500 {
            let sum = x.reduce(0, +)
            x = (0..<classes).map { c in
                let others = sum - x[c]
                return others > 0 ? (x[c] * cross[c] / others).squareRoot() : 0
            }
        }
        // When the request is infeasible the iteration has no fixed point; cap every pair so that no class
        // gets more cross-class edges than its budget.
        let sum = x.reduce(0, +)
        let scale = (0..<classes).map { c in
            let row = x[c] * (sum - x[c])
            return row > cross[c] ? cross[c] / row : 1
        }
        var e = [[Double]](repeating: [Double](repeating: 0, count: classes), count: classes)
        for a in 0..<classes {
            e[a][a] = homophily(ofClass: a) * volume[a] / 2
            for b in (a + 1)..<Swift.max(a + 1, classes) { e[a][b] = x[a] * x[b] * Swift.min(scale[a], scale[b]) }
        }
        return e
    }

    /// Adds `m` new undirected edges between `lhs` and `rhs` members (the same list for edges inside a class).
    private func drawEdges(_ m: Int, _ lhs: [Int32], _ rhs: [Int32], into keys: inout Set<UInt64>,
                           using rng: inout RandomGenerator) {
        var added = 0, rounds = 0
        while added < m && rounds < 64 {
            let need = m - added
            let u = uniforms(2 * need, using: &rng)
            for k in 0..<need {
                let s = lhs[Swift.min(lhs.count - 1, Int(u[2 * k] * Float(lhs.count)))]
                let d = rhs[Swift.min(rhs.count - 1, Int(u[2 * k + 1] * Float(rhs.count)))]
                if s == d { continue }
                if keys.insert(EdgeList.key(Swift.min(s, d), Swift.max(s, d))).inserted { added += 1 }
            }
            rounds += 1
        }
    }
}

public import TensorEngine

/// Isotropic Gaussian clusters in `dims` dimensions, one per class: inputs `[N, dims]`.
///
/// Class centres are drawn from `N(0, centerSpread²·I)`; an example of class `c` is `μ_c + spread·z`.
/// The training split may be long-tailed (`imbalanceRatio < 1`); the test split is balanced.
public struct GaussianBlobs: Sendable, Codable, Equatable {
    /// Number of clusters (classes).
    public var classes: Int
    /// Input dimension.
    public var dims: Int
    /// Standard deviation of each cluster around its centre.
    public var spread: Double
    /// Standard deviation of the centres around the origin; larger means easier.
    public var centerSpread: Double
    /// Training examples of the largest class.
    public var trainPerClass: Int
    /// Test examples per class (the test split is balanced).
    public var testPerClass: Int
    /// `n_min / n_max` of the training split; 1 is balanced.
    public var imbalanceRatio: Double

    /// A configuration; the default is three well-separated 2-D blobs.
    public init(classes: Int = 3, dims: Int = 2, spread: Double = 1, centerSpread: Double = 4,
                trainPerClass: Int = 200, testPerClass: Int = 100, imbalanceRatio: Double = 1) {
        self.classes = classes
        self.dims = dims
        self.spread = spread
        self.centerSpread = centerSpread
        self.trainPerClass = trainPerClass
        self.testPerClass = testPerClass
        self.imbalanceRatio = imbalanceRatio
    }

    /// Draws centres, then the training and test examples, all from `rng`.
    public func make(using rng: inout RandomGenerator) -> LabeledDataset {
        precondition(trainPerClass >= 1 && testPerClass >= 0, "GaussianBlobs: invalid configuration \(self)")
        let counts = ClassImbalance.splitCounts(
            classes: classes, trainPerClass: trainPerClass, testPerClass: testPerClass, ratio: imbalanceRatio)
        return make(trainCounts: counts.train, testCounts: counts.test, using: &rng)
    }

    /// Draws centres, then `trainCounts[c]` training and `testCounts[c]` test examples of each class `c`, all from
    /// `rng`, ignoring the per-class counts and the imbalance ratio (for datasets sized by their totals).
    public func make(trainCounts: [Int], testCounts: [Int], using rng: inout RandomGenerator) -> LabeledDataset {
        precondition(classes >= 1 && dims >= 1 && spread >= 0 && trainCounts.count == classes
                         && testCounts.count == classes,
                     "GaussianBlobs: invalid configuration \(self) for counts \(trainCounts), \(testCounts)")
        let centers = normals(classes * dims, using: &rng).map { $0 * Float(centerSpread) }
        func split(_ counts: [Int]) -> DataSplit {
            let ids = shuffledLabels(counts: counts, using: &rng)
            var x = Tensor.normal([ids.count, dims], std: Float(spread), using: &rng)
            x.withUnsafeMutableElements { p in
                for (i, c) in ids.enumerated() { for j in 0..<dims { p[i * dims + j] += centers[c * dims + j] } }
            }
            return DataSplit(inputs: x, labels: labelTensor(ids))
        }
        let train = split(trainCounts)
        let test = split(testCounts)
        return LabeledDataset(name: "blobs", train: train, test: test, classCount: classes)
    }
}

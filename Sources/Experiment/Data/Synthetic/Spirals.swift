import Foundation
public import TensorEngine

/// Interleaved 2-D spiral arms, one per class: inputs `[N, 2]`.
///
/// An example of class `c` at position `t ∈ [0, 1)` along its arm sits at radius `t` and angle
/// `2π·(turns·t + c/classes)`, plus Gaussian noise of standard deviation `noise`. Two classes give the
/// classic two-spirals problem.
public struct Spirals: Sendable, Codable, Equatable {
    /// Number of arms (classes), at least 2.
    public var classes: Int
    /// Training points on the largest arm.
    public var pointsPerClass: Int
    /// Test points on each arm (the test split is balanced).
    public var testPointsPerClass: Int
    /// Noise standard deviation, in units of the outer radius (1).
    public var noise: Double
    /// Revolutions of each arm.
    public var turns: Double
    /// `n_min / n_max` of the training split; 1 is balanced.
    public var imbalanceRatio: Double

    /// A configuration; the defaults are the classic two spirals.
    public init(classes: Int = 2, pointsPerClass: Int = 200, testPointsPerClass: Int = 100, noise: Double = 0.05,
                turns: Double = 1.5, imbalanceRatio: Double = 1) {
        self.classes = classes
        self.pointsPerClass = pointsPerClass
        self.testPointsPerClass = testPointsPerClass
        self.noise = noise
        self.turns = turns
        self.imbalanceRatio = imbalanceRatio
    }

    /// Draws the training and test points from `rng`.
    public func make(using rng: inout RandomGenerator) -> LabeledDataset {
        precondition(pointsPerClass >= 1 && testPointsPerClass >= 0, "Spirals: invalid configuration \(self)")
        let counts = ClassImbalance.splitCounts(
            classes: classes, trainPerClass: pointsPerClass, testPerClass: testPointsPerClass, ratio: imbalanceRatio)
        return make(trainCounts: counts.train, testCounts: counts.test, using: &rng)
    }

    /// Draws `trainCounts[c]` training and `testCounts[c]` test points of each arm `c` from `rng`, ignoring the
    /// per-class counts and the imbalance ratio (for datasets sized by their totals).
    public func make(trainCounts: [Int], testCounts: [Int], using rng: inout RandomGenerator) -> LabeledDataset {
        precondition(classes >= 2 && trainCounts.count == classes && testCounts.count == classes && noise >= 0,
                     "Spirals: invalid configuration \(self) for counts \(trainCounts), \(testCounts)")
        func split(_ counts: [Int]) -> DataSplit {
            let ids = shuffledLabels(counts: counts, using: &rng)
            let t = uniforms(ids.count, using: &rng)
            let z = normals(2 * ids.count, using: &rng)
            var xs = [Float](repeating: 0, count: 2 * ids.count)
            for (i, c) in ids.enumerated() {
                let r = Double(t[i])
                let angle = 2 * Double.pi * (turns * r + Double(c) / Double(classes))
                xs[2 * i] = Float(r * cos(angle) + noise * Double(z[2 * i]))
                xs[2 * i + 1] = Float(r * sin(angle) + noise * Double(z[2 * i + 1]))
            }
            return DataSplit(inputs: Tensor([ids.count, 2], xs), labels: labelTensor(ids))
        }
        let train = split(trainCounts)
        let test = split(testCounts)
        return LabeledDataset(name: "spirals", train: train, test: test, classCount: classes)
    }
}

import Foundation
import TensorEngine

/// Per-class example counts for long-tailed (imbalanced) datasets.
public enum ClassImbalance {
    /// `n_c = round(n_max · ratio^(c/(C−1)))` for `c = 0..<C`, at least 1 each: class 0 is the head with
    /// `maxCount` examples, class `C−1` the tail with `maxCount · ratio`. `ratio` in `(0, 1]`; 1 is balanced.
    public static func longTailedCounts(classes: Int, maxCount: Int, ratio: Double) -> [Int] {
        precondition(classes >= 1 && maxCount >= 1, "longTailedCounts: classes \(classes), maxCount \(maxCount)")
        precondition(ratio > 0 && ratio <= 1, "longTailedCounts: ratio \(ratio) not in (0, 1]")
        guard classes > 1 else { return [maxCount] }
        return (0..<classes).map { c in
            Swift.max(1, Int((Double(maxCount) * pow(ratio, Double(c) / Double(classes - 1))).rounded()))
        }
    }

    /// Per-class counts of a generated dataset's splits: long-tailed training counts with `trainPerClass` for the
    /// head class, and `testPerClass` test examples of every class (a balanced test split measures every class).
    public static func splitCounts(classes: Int, trainPerClass: Int, testPerClass: Int, ratio: Double)
        -> (train: [Int], test: [Int])
    {
        (
            longTailedCounts(classes: classes, maxCount: trainPerClass, ratio: ratio),
            [Int](repeating: testPerClass, count: classes)
        )
    }

    /// `total` examples split as evenly as counts allow: `total / classes` each, the remainder one apiece to the
    /// first classes.
    public static func evenCounts(classes: Int, total: Int) -> [Int] {
        precondition(classes >= 1 && total >= 0, "evenCounts: classes \(classes), total \(total)")
        return (0..<classes).map { c in total / classes + (c < total % classes ? 1 : 0) }
    }

    /// The realised ratio `min_c n_c / max_c n_c` of a list of counts.
    public static func ratio(of counts: [Int]) -> Double {
        guard let lo = counts.min(), let hi = counts.max(), hi > 0 else { return 1 }
        return Double(lo) / Double(hi)
    }
}

/// Class ids for `counts[c]` examples of each class, in a seeded random order.
func shuffledLabels(counts: [Int], using rng: inout RandomGenerator) -> [Int] {
    let sorted = counts.enumerated().flatMap { c, n in [Int](repeating: c, count: n) }
    return rng.permutation(sorted.count).map { sorted[$0] }
}

/// `[N]` float labels from class ids.
func labelTensor(_ ids: [Int]) -> Tensor { Tensor([ids.count], ids.map { Float($0) }) }

/// `count` standard normal draws as a host array.
func normals(_ count: Int, using rng: inout RandomGenerator) -> [Float] {
    Tensor.normal([count], using: &rng).scalars
}

/// `count` uniform draws in `[0, 1)` as a host array.
func uniforms(_ count: Int, using rng: inout RandomGenerator) -> [Float] {
    Tensor.uniform([count], using: &rng).scalars
}

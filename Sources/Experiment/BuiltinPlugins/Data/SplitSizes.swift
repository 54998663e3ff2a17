import PluginAPI

/// The size of a generated dataset's splits, given per class (`points_per_class`, the generators' own unit) or
/// in all (`train`, `test`, as a spec author usually thinks of a dataset).
///
/// The per-class keys are optional so that setting both spellings of one split can be caught: when neither is
/// set, the per-class default applies.
struct SplitSizes {
    let classes: Int
    let trainPerClass: Int?
    let testPerClass: Int?
    let train: Int?
    let test: Int?
    let imbalanceRatio: Double
    /// The per-class keys' YAML names, for the messages.
    let trainPerClassKey: String
    let testPerClassKey: String

    /// Training examples of the largest class when no key sizes the training split.
    static let defaultTrainPerClass = 200
    /// Test examples per class when no key sizes the test split.
    static let defaultTestPerClass = 100

    /// Documentation of `train`.
    static func trainDoc(perClassKey: String) -> FieldDoc {
        FieldDoc(
            "Training examples in all, split evenly over the classes (the remainder one each to the first); "
                + "replaces \(perClassKey) and needs imbalance_ratio 1.",
            range: .atLeast(1), type: .integer)
    }

    /// Documentation of `test`.
    static func testDoc(perClassKey: String) -> FieldDoc {
        FieldDoc(
            "Test examples in all, split evenly over the classes (the remainder one each to the first); replaces "
                + "\(perClassKey).",
            range: .atLeast(1), type: .integer)
    }

    /// Both spellings of one split set, a total too small for every class, or a total with a long tail.
    func validate(_ v: inout ConfigValidator) {
        for (total, perClass, perClassKey, key) in [
            (train, trainPerClass, trainPerClassKey, "train"), (test, testPerClass, testPerClassKey, "test"),
        ] {
            guard let total else { continue }
            v.check(perClass == nil, key: key, "set either \(key) or \(perClassKey), not both")
            v.check(total >= classes, key: key, "must give each of the \(classes) classes at least one example")
        }
        v.check(
            train == nil || imbalanceRatio == 1, key: "train",
            "splits evenly over the classes; for a long tail (imbalance_ratio \(imbalanceRatio)) set "
                + "\(trainPerClassKey) instead")
    }

    /// Training examples of each class: the total split evenly, or the per-class count with its long tail.
    var trainCounts: [Int] {
        if let train { return ClassImbalance.evenCounts(classes: classes, total: train) }
        return ClassImbalance.longTailedCounts(
            classes: classes, maxCount: trainPerClass ?? Self.defaultTrainPerClass, ratio: imbalanceRatio)
    }

    /// Test examples of each class (the test split is balanced).
    var testCounts: [Int] {
        if let test { return ClassImbalance.evenCounts(classes: classes, total: test) }
        return [Int](repeating: testPerClass ?? Self.defaultTestPerClass, count: classes)
    }
}

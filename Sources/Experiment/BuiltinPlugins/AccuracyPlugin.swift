import PluginAPI
import TensorEngine
import TensorNN

/// `eval.accuracy`: overall, per-class, worst-class and balanced accuracy, and the confusion matrix.
///
/// Metrics: `accuracy`, `balanced_accuracy` (the mean of the per-class recalls), `worst_class_accuracy`, and
/// `class_accuracy.<c>` per class. Classes without test examples are left out of the last three. Details: the
/// confusion matrix (rows true class, columns predicted), per-class counts and the worst class's name.
struct AccuracyPlugin: EvaluatorPlugin {
    struct Config: PluginConfig {
        var perClass = true
        static let documentation: [String: FieldDoc] = [
            "per_class": FieldDoc("Log class_accuracy.<c> for every class (the confusion matrix is kept either way).")
        ]
    }
    static let descriptor = PluginDescriptor(
        id: "eval.accuracy", kind: .evaluator, version: "1.0.0",
        summary: "Accuracy overall, per class, worst class, balanced; confusion matrix", config: Config.self)

    static func evaluate(_ c: Config, model: any Layer, split: DataSplit, task: TaskInfo) throws -> Evaluation {
        let predicted = EvaluationSupport.logits(of: model, on: split.inputs).argmax(axis: 1).scalars.map { Int($0) }
        let truth = split.labels.scalars.map { Int($0) }
        let k = task.classCount
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
        for (t, p) in zip(truth, predicted) where (0..<k).contains(t) && (0..<k).contains(p) { confusion[t][p] += 1 }
        return summarize(confusion, perClass: c.perClass, classNames: task.classNames)
    }

    /// The metrics and details of a confusion matrix (rows true class, columns predicted).
    static func summarize(_ confusion: [[Int]], perClass: Bool, classNames: [String]?) -> Evaluation {
        let k = confusion.count
        let support = confusion.map { $0.reduce(0, +) }
        let total = support.reduce(0, +)
        let correct = (0..<k).reduce(0) { $0 + confusion[$1][$1] }
        let present = (0..<k).filter { support[$0] > 0 }
        let recall = present.map { (class: $0, value: Double(confusion[$0][$0]) / Double(support[$0])) }
        var metrics: [String: Double] = ["accuracy": total > 0 ? Double(correct) / Double(total) : 0]
        if !recall.isEmpty {
            metrics["balanced_accuracy"] = recall.map(\.value).reduce(0, +) / Double(recall.count)
            metrics["worst_class_accuracy"] = recall.map(\.value).min()
        }
        if perClass { for r in recall { metrics["class_accuracy.\(r.class)"] = r.value } }
        let name = { (c: Int) -> String in classNames.flatMap { $0.indices.contains(c) ? $0[c] : nil } ?? "\(c)" }
        var details: ConfigObject = [
            "confusion_matrix": .array(confusion.map { .array($0.map { .int($0) }) }),
            "support": .array(support.map { .int($0) }),
            "class_accuracy": .object(ConfigObject(recall.map { (name($0.class), .double($0.value)) })),
        ]
        if let worst = recall.min(by: { $0.value < $1.value }) { details["worst_class"] = .string(name(worst.class)) }
        if let classNames { details["class_names"] = .array(classNames.map { .string($0) }) }
        return Evaluation(metrics: metrics, details: details)
    }
}

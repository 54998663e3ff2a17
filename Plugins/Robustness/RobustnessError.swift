/// What the robustness plugins reject in the data they are given (configurations are checked by their types).
enum RobustnessError: Error, Equatable, CustomStringConvertible {
    /// A classification method needs at least two classes.
    case tooFewClasses(plugin: String, classCount: Int)
    /// An example's label is not a class of the task.
    case labelOutOfRange(index: Int, label: Float, classCount: Int)

    var description: String {
        switch self {
        case .tooFewClasses(let plugin, let k):
            "\(plugin) needs at least 2 classes; the task has \(k)"
        case .labelOutOfRange(let index, let label, let k):
            "example \(index) has label \(label), outside the task's classes 0..<\(k)"
        }
    }
}

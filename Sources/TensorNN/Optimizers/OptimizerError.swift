/// Why optimizer state could not be loaded. Loading checks everything first and changes nothing on error.
public enum OptimizerError: Error, Equatable, CustomStringConvertible {
    /// The state was saved by a rule with other slots (Adam state into SGD, say).
    case slotMismatch(expected: [String], found: [String])
    /// State for a parameter path this optimizer does not hold.
    case unknownParameter(String)
    /// A slot tensor that the step counts say should exist is absent.
    case missingTensor(String)
    /// A slot tensor that belongs to no parameter with state.
    case unexpectedTensor(String)
    /// A slot tensor whose shape differs from its parameter's.
    case shapeMismatch(name: String, expected: [Int], found: [Int])
    /// A negative step count.
    case invalidStep(name: String, step: Int)
    /// An entry of `OptimizerState.extra` that is missing or does not parse.
    case invalidExtra(key: String, reason: String)

    /// A message naming what failed and where.
    public var description: String {
        switch self {
        case .slotMismatch(let expected, let found):
            return
                "optimizer state has slots [\(found.joined(separator: ", "))], "
                + "this optimizer uses [\(expected.joined(separator: ", "))]"
        case .unknownParameter(let name): return "optimizer state for \(name), which this optimizer does not update"
        case .missingTensor(let name): return "optimizer state tensor \(name) is missing"
        case .unexpectedTensor(let name): return "optimizer state tensor \(name) belongs to no parameter with state"
        case .shapeMismatch(let name, let expected, let found):
            return "optimizer state tensor \(name) has shape \(found), its parameter \(expected)"
        case .invalidStep(let name, let step): return "optimizer step count \(step) for \(name) is negative"
        case .invalidExtra(let key, let reason): return "optimizer state entry \(key) \(reason)"
        }
    }
}

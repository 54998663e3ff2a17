/// Why parameters could not be loaded into, or selected in, a module tree.
public enum ModuleError: Error, Equatable, CustomStringConvertible {
    /// Names given that the model does not have.
    case unknownParameters([String])
    /// Model parameters that were not given (strict loading).
    case missingParameters([String])
    /// A given tensor's shape differs from the parameter's.
    case shapeMismatch(name: String, expected: [Int], found: [Int])
    /// A freeze/unfreeze selector matched no parameter.
    case noParameterMatches(selector: String)

    /// A message naming what failed and where.
    public var description: String {
        switch self {
        case .unknownParameters(let names):
            return "unknown parameter names (not in the model): \(names.joined(separator: ", "))"
        case .missingParameters(let names):
            return "missing parameters (the model has them, the source does not): \(names.joined(separator: ", "))"
        case .shapeMismatch(let name, let expected, let found):
            return "parameter \(name): shape \(found) given, the model's is \(expected)"
        case .noParameterMatches(let selector):
            return "no parameter is named \(selector) or lies under it"
        }
    }
}

/// One thing wrong with a configuration, located by key path relative to the configuration's root.
public struct ConfigProblem: Sendable, Hashable {
    /// What kind of mistake it is, so callers can react without parsing messages.
    public enum Kind: String, Sendable, Hashable {
        /// A key the configuration does not have.
        case unknownKey
        /// A value of the wrong YAML type.
        case wrongType
        /// A number outside its range or a string outside its choices.
        case outOfRange
        /// A required key left out.
        case missingKey
        /// A path that does not resolve, leaves the allowed roots, or is not the required file or directory.
        case badPath
        /// Any other rule from the configuration's `validate`.
        case invalidValue
    }

    /// The kind of mistake.
    public var kind: Kind
    /// Where, relative to the configuration (`schedule.warmup`).
    public var path: ConfigKeyPath
    /// What is wrong, phrased to follow the key: "must be positive".
    public var message: String
    /// Close names for an unknown key or value, best first.
    public var suggestions: [String]

    /// A problem of `kind` at `path`.
    public init(_ kind: Kind, at path: ConfigKeyPath, _ message: String, suggestions: [String] = []) {
        self.kind = kind
        self.path = path
        self.message = message
        self.suggestions = suggestions
    }
}

extension ConfigProblem: CustomStringConvertible {
    /// `schedule.warmup: must be at least 0`.
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// Collects the problems a configuration finds in itself; passed to ``PluginConfig/validate(_:)``.
///
/// Keys may be given in YAML spelling (`reset_interval`) or Swift spelling (`resetInterval`), dotted
/// for nested keys; they are reported in YAML spelling.
public struct ConfigValidator: Sendable {
    /// Everything reported so far, in order.
    public private(set) var problems: [ConfigProblem] = []

    /// An empty validator.
    public init() {}

    /// True while nothing has been reported.
    public var isValid: Bool { problems.isEmpty }

    /// Reports `message` for `key` unless `condition` holds.
    public mutating func check(_ condition: Bool, key: String, _ message: @autoclosure () -> String) {
        if !condition { fail(key: key, message()) }
    }

    /// Reports `message` for `key`.
    public mutating func fail(key: String, _ message: String) {
        report(ConfigProblem(.invalidValue, at: Self.path(key), message))
    }

    /// Reports a fully formed problem.
    public mutating func report(_ problem: ConfigProblem) { problems.append(problem) }

    static func path(_ key: String) -> ConfigKeyPath {
        ConfigKeyPath(
            ConfigKeyPath(parsing: key).components.map {
                if case .key(let k) = $0 { return .key(k.snakeCased) }
                return $0
            })
    }
}

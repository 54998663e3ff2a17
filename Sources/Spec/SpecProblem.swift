public import PluginAPI

/// One thing wrong with a spec, located by file, line, column and key path.
public struct SpecProblem: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// What kind of mistake it is, so a caller can react without parsing the message.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The file could not be read (missing, not a regular file, not UTF-8).
        case unreadable
        /// The file is over the size limit.
        case tooLarge
        /// Aliases expand the document past the node budget (the "billion laughs" shape), or an alias
        /// is used as a mapping key.
        case aliasBudget
        /// libyaml could not parse the text; the position is libyaml's.
        case syntax
        /// A key the spec format or the plugin does not have.
        case unknownKey
        /// A plugin id that is not registered, or registered for another slot.
        case unknownPlugin
        /// A value of the wrong YAML type.
        case wrongType
        /// A number outside its range, or a string outside its choices.
        case outOfRange
        /// A required key left out.
        case missingKey
        /// A path that escapes the allowed roots or does not point at what it must.
        case badPath
        /// Any other rule broken.
        case invalidValue

        init(_ kind: ConfigProblem.Kind) {
            switch kind {
            case .unknownKey: self = .unknownKey
            case .wrongType: self = .wrongType
            case .outOfRange: self = .outOfRange
            case .missingKey: self = .missingKey
            case .badPath: self = .badPath
            case .invalidValue: self = .invalidValue
            }
        }
    }

    /// The kind of mistake.
    public var kind: Kind
    /// The spec file's path, as it was given to the loader.
    public var file: String
    /// Where in the file; line 0 for problems with the whole file.
    public var location: SourceLocation
    /// The key path from the spec's root (`optimizer.schedule.warmup`); empty for file-level problems.
    public var keyPath: ConfigKeyPath
    /// What is wrong: "unknown key 'lrr'; did you mean 'lr'?".
    public var message: String
    /// Close names offered for an unknown key or plugin, best first.
    public var suggestions: [String]

    /// A problem of `kind` at `location`.
    public init(
        _ kind: Kind, file: String, at location: SourceLocation, keyPath: ConfigKeyPath = .root, _ message: String,
        suggestions: [String] = []
    ) {
        self.kind = kind
        self.file = file
        self.location = location
        self.keyPath = keyPath
        self.message = message
        self.suggestions = suggestions
    }

    /// The line, from 1 (0 for file-level problems).
    public var line: Int { location.line }
    /// The column, from 1 (0 for file-level problems).
    public var column: Int { location.column }

    /// `file:line:col: key.path: message`, leaving out the parts that are unknown.
    public var description: String {
        var text = file
        if location.line > 0 { text += ":\(location.line):\(location.column)" }
        text += ": "
        if !keyPath.isEmpty { text += "\(keyPath): " }
        return text + message
    }

    /// Orders by position, then key path, then message.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.location, lhs.keyPath.description, lhs.message) < (rhs.location, rhs.keyPath.description, rhs.message)
    }
}

extension SpecProblem {
    /// `problems` in file order with only the first of each key path and message: a sweep's children repeat one
    /// mistake, each at the value it was given or at the same key, and it is said once.
    public static func firstOfEach(_ problems: [SpecProblem]) -> [SpecProblem] {
        var seen = Set<String>()
        return problems.sorted().filter { seen.insert("\($0.keyPath)\u{0}\($0.message)").inserted }
    }
}

/// Why a spec was rejected: every problem found, in file order.
public struct SpecError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The spec file's path, as given to the loader.
    public var file: String
    /// Every problem, sorted by position; never empty.
    public var problems: [SpecProblem]
    /// The plugins that resolved in spite of the problems (a single spec's), so that they can still be checked
    /// against each other; not part of equality.
    public var partial: SpecPlugins?

    /// An error holding `problems`, sorted and with exact repeats removed.
    public init(file: String, problems: [SpecProblem], partial: SpecPlugins? = nil) {
        self.file = file
        var seen = Set<SpecProblem>()
        self.problems = problems.sorted().filter { seen.insert($0).inserted }
        self.partial = partial
    }

    /// Equal when they hold the same problems.
    public static func == (lhs: Self, rhs: Self) -> Bool { (lhs.file, lhs.problems) == (rhs.file, rhs.problems) }

    /// Hashes the file and the problems.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(file)
        hasher.combine(problems)
    }

    /// One problem per line, as `kiln validate` prints them.
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

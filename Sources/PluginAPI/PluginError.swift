/// Why a plugin could not be registered, found or configured.
public enum PluginError: Error, Sendable, Hashable {
    /// A descriptor breaks the rules for ids, versions, summaries or documentation.
    case invalidDescriptor(id: String, problems: [String])
    /// A configuration type cannot describe itself (its default does not encode as a mapping).
    case invalidConfigType(type: String, reason: String)
    /// A second plugin with an id already registered.
    case duplicateID(String)
    /// No plugin has this id; `suggestions` are close ids, `known` every id of the wanted kinds.
    case unknownPlugin(id: String, kinds: [PluginKind], suggestions: [String], known: [String])
    /// The id exists but names a plugin of another kind than the slot takes.
    case wrongKind(id: String, expected: [PluginKind], actual: PluginKind)
    /// A configuration failed its checks.
    case invalidConfig(id: String, problems: [ConfigProblem])
}

extension PluginError: CustomStringConvertible {
    /// One line (or one line per problem) that can be shown as is.
    public var description: String {
        switch self {
        case .invalidDescriptor(let id, let problems):
            return "plugin '\(id)' is not valid: " + problems.joined(separator: "; ")
        case .invalidConfigType(let type, let reason):
            return "configuration type \(type) cannot describe itself: \(reason)"
        case .duplicateID(let id):
            return "plugin '\(id)' is registered twice"
        case .unknownPlugin(let id, let kinds, let suggestions, let known):
            let what = kinds.count == 1 ? "\(kinds[0]) plugin" : "plugin"
            if !suggestions.isEmpty {
                return "unknown \(what) '\(id)'; did you mean " + suggestions.map { "'\($0)'" }.joined(separator: ", ")
                    + "?"
            }
            if known.isEmpty { return "unknown \(what) '\(id)'; none are registered" }
            if known.count <= 12 { return "unknown \(what) '\(id)'; known: " + known.joined(separator: ", ") }
            return "unknown \(what) '\(id)'; `kiln plugins` lists them"
        case .wrongKind(let id, let expected, let actual):
            let wanted = expected.map(\.rawValue).joined(separator: " or ")
            return "'\(id)' is \(article(actual.rawValue)) plugin; this slot takes \(article(wanted)) plugin"
        case .invalidConfig(let id, let problems):
            return "plugin '\(id)': " + problems.map(\.description).joined(separator: "; ")
        }
    }
}

/// "an optimizer", "a model".
private func article(_ word: String) -> String {
    ("aeiou".contains(word.first ?? "x") ? "an " : "a ") + word
}

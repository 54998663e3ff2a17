/// The outcome of laying a spec's keys over a configuration's defaults.
public struct ConfigResolution: Sendable {
    /// The merged configuration: the user's values where given, defaults elsewhere, paths resolved.
    public var value: ConfigObject
    /// The decoded configuration; nil when there are problems.
    public var config: (any PluginConfig)?
    /// Every problem found, in the order the keys were read.
    public var problems: [ConfigProblem]
}

/// Turns a path as written in the spec into the path the plugin should use, or throws an error whose
/// description says why the path is not allowed. Supplied by the spec loader, which knows the roots.
public typealias PathResolver = (_ value: String, _ requirement: PathRequirement) throws -> String

extension PluginConfig {
    /// Overlays `user` on the defaults, checks every key, then decodes and validates the result.
    ///
    /// Checks, all reported together: unknown keys (with close names from the configuration's keys
    /// and `otherKeys`, the keys the surrounding spec mapping also accepts), values whose YAML type
    /// differs from the default's, missing required keys, declared ranges and choices, path rules
    /// (through `paths`), and finally the configuration's own ``validate(_:)``.
    public static func resolve(
        _ user: ConfigObject, otherKeys: [String] = [], paths: PathResolver? = nil
    ) -> ConfigResolution {
        let defaults: ConfigObject
        do { defaults = try defaultTree() } catch {
            return ConfigResolution(
                value: user, config: nil, problems: [ConfigProblem(.invalidValue, at: .root, "\(error)")])
        }
        var overlay = Overlay(documentation: documentation)
        var merged = overlay.merge(user, into: defaults, at: .root, otherKeys: otherKeys)
        var problems = overlay.problems
        let fields = describe(defaults, documentation: documentation)

        for field in fields {
            let path = ConfigKeyPath(parsing: field.key)
            let given = ConfigValue.object(user)[path]
            if field.isRequired, given == nil || given == .null {
                problems.append(
                    ConfigProblem(.missingKey, at: path, "missing required key '\(path.lastKey ?? field.key)'"))
                continue
            }
            // A key already reported (or inside a reported mapping) gets no second, derived complaint.
            let reported = problems.contains {
                $0.path.components.starts(with: path.components) || path.components.starts(with: $0.path.components)
            }
            guard let given, !reported else { continue }
            problems += checkRules(of: field, value: given, at: path)
        }
        if let paths, problems.isEmpty {
            for field in fields where field.path != nil {
                let path = ConfigKeyPath(parsing: field.key)
                let written = ConfigValue.object(user)[path] != nil
                resolvePaths(of: field, in: &merged, written: written, with: paths, problems: &problems)
            }
        }

        guard problems.isEmpty else { return ConfigResolution(value: merged, config: nil, problems: problems) }
        let config: Self
        do { config = try ConfigValueDecoder().decode(Self.self, from: .object(merged)) } catch {
            return ConfigResolution(value: merged, config: nil, problems: [ConfigProblem(decoding: error)])
        }
        var validator = ConfigValidator()
        config.validate(&validator)
        return ConfigResolution(value: merged, config: validator.isValid ? config : nil, problems: validator.problems)
    }
}

/// Range and choice checks for one documented key; a list is checked element by element.
///
/// A number must be finite whatever its range: `.inf` (or `1e400`, which reads as infinity) passes a
/// `> 0` check, and NaN fails every range with a message that hides the cause.
private func checkRules(of field: FieldDescription, value: ConfigValue, at path: ConfigKeyPath) -> [ConfigProblem] {
    if case .array(let items) = value {
        return items.enumerated().flatMap {
            checkRules(of: field, value: $0.element, at: path.appending(index: $0.offset))
        }
    }
    if case .double(let x) = value, !x.isFinite {
        return [ConfigProblem(.outOfRange, at: path, "must be a finite number (got \(value))")]
    }
    if let range = field.range, let x = value.double, !range.contains(x) {
        return [ConfigProblem(.outOfRange, at: path, "must be \(phrase(range)) (got \(value))")]
    }
    if let choices = field.choices, let s = value.string, !choices.contains(s) {
        let close = NameSuggestions.closest(to: s, in: choices)
        let hint = close.isEmpty ? "" : "; did you mean '\(close[0])'?"
        return [
            ConfigProblem(
                .outOfRange, at: path, "must be one of \(choices.joined(separator: ", ")) (got '\(s)')\(hint)",
                suggestions: close)
        ]
    }
    return []
}

private func phrase(_ range: FieldRange) -> String {
    switch (range.lower, range.upper) {
    case (_?, _?): "in \(range)"
    default: "\(range)"
    }
}

/// Replaces each path string of `field` by its resolved form, or reports why it is not allowed.
///
/// An empty default (`file = ""` standing for "not set") is left alone, but an empty path the spec
/// wrote, or one for a required key, goes to the resolver, which refuses it: passed on, it would only
/// fail later, when the run opens it, with a message that names no key.
private func resolvePaths(
    of field: FieldDescription, in merged: inout ConfigObject, written: Bool, with resolver: PathResolver,
    problems: inout [ConfigProblem]
) {
    let path = ConfigKeyPath(parsing: field.key)
    guard let requirement = field.path, var value = ConfigValue.object(merged)[path] else { return }
    func resolve(_ text: String, at path: ConfigKeyPath) -> String {
        guard !text.isEmpty || written || field.isRequired else { return text }
        do { return try resolver(text, requirement) } catch {
            problems.append(ConfigProblem(.badPath, at: path, "\(error)"))
            return text
        }
    }
    switch value {
    case .string(let s): value = .string(resolve(s, at: path))
    case .array(let items):
        value = .array(
            items.enumerated().map { i, item in
                item.string.map { .string(resolve($0, at: path.appending(index: i))) } ?? item
            })
    default: return
    }
    var root = ConfigValue.object(merged)
    root.set(value, at: path)
    merged = root.object!
}

extension ConfigValue {
    /// Sets the value at `path`, creating mappings for missing keys; list positions must exist.
    public mutating func set(_ newValue: ConfigValue, at path: ConfigKeyPath) {
        guard let first = path.components.first else {
            self = newValue
            return
        }
        let rest = ConfigKeyPath(Array(path.components.dropFirst()))
        switch (first, self) {
        case (.key(let k), .object(var o)):
            var child = o[k] ?? .object(ConfigObject())
            child.set(newValue, at: rest)
            o[k] = child
            self = .object(o)
        case (.index(let i), .array(var a)) where a.indices.contains(i):
            a[i].set(newValue, at: rest)
            self = .array(a)
        case (.key(let k), _):
            var child = ConfigValue.object(ConfigObject())
            child.set(newValue, at: rest)
            self = .object([k: child])
        default:
            break
        }
    }
}

extension ConfigProblem {
    /// A problem from a `DecodingError`, located by its coding path in YAML spelling.
    public init(decoding error: any Error) {
        func path(_ keys: [any CodingKey]) -> ConfigKeyPath {
            ConfigKeyPath(keys.map { $0.intValue.map(Component.index) ?? .key($0.stringValue.snakeCased) })
        }
        typealias Component = ConfigKeyPath.Component
        switch error as? DecodingError {
        case .typeMismatch(_, let context)?:
            self.init(.wrongType, at: path(context.codingPath), context.debugDescription)
        case .valueNotFound(_, let context)?:
            self.init(.wrongType, at: path(context.codingPath), context.debugDescription)
        case .keyNotFound(let key, let context)?:
            self.init(
                .missingKey, at: path(context.codingPath + [key]),
                "missing required key '\(key.stringValue.snakeCased)'")
        case .dataCorrupted(let context)?:
            self.init(.invalidValue, at: path(context.codingPath), context.debugDescription)
        default:
            self.init(.invalidValue, at: .root, "\(error)")
        }
    }
}

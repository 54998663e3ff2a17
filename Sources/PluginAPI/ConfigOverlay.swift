/// Lays a user's values over a default tree, checking each against the type its default shows.
///
/// Checking here, rather than leaving it to the decoder, is what lets one pass report every wrong key
/// and type at once: the decoder stops at the first error.
struct Overlay {
    let documentation: [String: FieldDoc]
    var problems: [ConfigProblem] = []

    init(documentation: [String: FieldDoc]) { self.documentation = documentation }

    mutating func merge(
        _ user: ConfigObject, into defaults: ConfigObject, at path: ConfigKeyPath, otherKeys: [String]
    ) -> ConfigObject {
        var merged = defaults
        for (key, value) in user {
            let keyPath = path.appending(key)
            guard let defaultValue = defaults[key] else {
                let close = NameSuggestions.closest(to: key, in: defaults.keys + otherKeys)
                let hint = close.isEmpty ? "" : "; did you mean '\(close[0])'?"
                problems.append(
                    ConfigProblem(.unknownKey, at: keyPath, "unknown key '\(key)'\(hint)", suggestions: close))
                continue
            }
            if let checked = conform(value, default: defaultValue, at: keyPath) { merged[key] = checked }
        }
        return merged
    }

    private mutating func conform(
        _ value: ConfigValue, default defaultValue: ConfigValue, at path: ConfigKeyPath
    ) -> ConfigValue? {
        let type = documentation[Self.documentationKey(path)]?.type ?? FieldType(inferredFrom: defaultValue)
        if value.isNull {
            if defaultValue.isNull { return .null }
            problems.append(ConfigProblem(.wrongType, at: path, "expected \(type.phrase), found null"))
            return nil
        }
        if case .object(let nestedDefaults) = defaultValue, type == .object {
            guard case .object(let nested) = value else {
                problems.append(
                    ConfigProblem(.wrongType, at: path, "expected a mapping, found \(value.typeDescription)"))
                return nil
            }
            return .object(merge(nested, into: nestedDefaults, at: path, otherKeys: []))
        }
        return coerce(value, to: type, at: path)
    }

    /// The value in `type`'s own case (an integer given for a number becomes a double), or nil
    /// after reporting a mismatch.
    private mutating func coerce(_ value: ConfigValue, to type: FieldType, at path: ConfigKeyPath) -> ConfigValue? {
        let converted: ConfigValue? =
            switch type {
            case .any, .object: value
            case .boolean: value.bool.map(ConfigValue.bool)
            case .integer: value.int.map(ConfigValue.int)
            case .number: value.double.map(ConfigValue.double)
            case .string: value.string.map(ConfigValue.string)
            case .array(let element):
                value.array.map { items in
                    .array(
                        items.enumerated().compactMap {
                            coerce($0.element, to: element, at: path.appending(index: $0.offset))
                        })
                }
            }
        guard let converted else {
            var message = "expected \(type.phrase), found \(value.typeDescription)"
            if case .double(let d) = value, type == .integer { message += " (\(d) is not a whole number)" }
            if type == .string, case .bool = value { message += "; quote it to keep it as text: \"\(value)\"" }
            if type == .string, value.double != nil { message += "; quote it to keep it as text: \"\(value)\"" }
            problems.append(ConfigProblem(.wrongType, at: path, message))
            return nil
        }
        if case .array(let items) = converted, items.count != value.array?.count { return nil }
        return converted
    }

    /// The documentation key for a path: its keys joined by dots, list positions dropped.
    static func documentationKey(_ path: ConfigKeyPath) -> String {
        path.components.compactMap { if case .key(let k) = $0 { k } else { nil } }.joined(separator: ".")
    }
}

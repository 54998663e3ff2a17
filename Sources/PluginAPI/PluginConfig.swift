/// A plugin's typed configuration: its defaults, types, ranges and documentation in one type.
///
/// - `init()` gives every default; the stored properties' types are the keys' types.
/// - ``documentation`` documents every key (dotted for nested ones) and declares ranges, choices,
///   required keys and path keys. Registration fails if a key lacks documentation or a documented
///   key does not exist, so a doc cannot silently go missing.
/// - ``validate(_:)`` adds rules that span several keys.
///
/// Keys are lowerCamel in Swift and snake_case in YAML; the conversion is automatic.
///
/// ```swift
/// struct AdamWConfig: PluginConfig {
///     var lr = 1e-3
///     var betas = [0.9, 0.999]
///     var weightDecay = 0.01
///     static let documentation: [String: FieldDoc] = [
///         "lr": FieldDoc("Peak learning rate; the schedule scales it.", range: .positive),
///         "betas": FieldDoc("Decay rates of the first and second moments.", range: FieldRange.atLeast(0).below(1)),
///         "weight_decay": FieldDoc("Decoupled weight decay.", range: .nonNegative),
///     ]
///     func validate(_ v: inout ConfigValidator) {
///         v.check(betas.count == 2, key: "betas", "must hold exactly two values")
///     }
/// }
/// ```
public protocol PluginConfig: Codable, Sendable {
    /// The configuration with every default.
    init()
    /// Documentation and declared rules per key, in YAML spelling (`weight_decay`, `schedule.kind`).
    static var documentation: [String: FieldDoc] { get }
    /// Reports rules that the declared ranges and choices cannot express. Runs after decoding.
    func validate(_ v: inout ConfigValidator)
}

extension PluginConfig {
    /// No cross-key rules by default.
    public func validate(_ v: inout ConfigValidator) {}

    /// The default configuration as a tree; throws if the type cannot be encoded as a mapping.
    public static func defaultTree() throws(PluginError) -> ConfigObject {
        let value: ConfigValue
        do { value = try ConfigValueEncoder().encode(Self()) } catch {
            throw .invalidConfigType(type: "\(Self.self)", reason: "its default does not encode: \(error)")
        }
        guard let object = value.object else {
            throw .invalidConfigType(
                type: "\(Self.self)", reason: "it must encode as a mapping, not \(value.typeDescription)")
        }
        return object
    }

    /// Every key with its type, default, documentation and rules, in declaration order.
    public static func fieldDescriptions() throws(PluginError) -> [FieldDescription] {
        describe(try defaultTree(), documentation: documentation)
    }

    /// Keys without documentation and documentation without a key; empty when the table is complete.
    public static func documentationProblems() throws(PluginError) -> [String] {
        let keys = describe(try defaultTree(), documentation: documentation).map(\.key)
        let documented = Set(documentation.keys)
        var problems = keys.filter { !documented.contains($0) }.map { "key '\($0)' has no documentation" }
        problems += documented.subtracting(keys).sorted().map { "documentation names '\($0)', which is not a key" }
        for (key, doc) in documentation.sorted(by: { $0.key < $1.key }) where doc.text.isEmpty {
            problems.append("key '\(key)' has empty documentation")
        }
        return problems
    }
}

/// Walks a default tree and pairs each key path with its documentation.
func describe(_ defaults: ConfigObject, documentation: [String: FieldDoc], prefix: String = "") -> [FieldDescription] {
    var fields: [FieldDescription] = []
    for (key, value) in defaults {
        let path = prefix.isEmpty ? key : "\(prefix).\(key)"
        let doc = documentation[path]
        let type = doc?.type ?? FieldType(inferredFrom: value)
        fields.append(
            FieldDescription(
                key: path, type: type, defaultValue: value, doc: doc?.text ?? "", isRequired: doc?.isRequired ?? false,
                isOptional: value.isNull, range: doc?.range, choices: doc?.choices, path: doc?.path))
        if case .object(let nested) = value {
            fields += describe(nested, documentation: documentation, prefix: path)
        }
    }
    return fields
}

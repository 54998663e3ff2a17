/// The type of a configuration key, as shown to users and written into the JSON Schema.
public indirect enum FieldType: Sendable, Hashable {
    /// `true` or `false`.
    case boolean
    /// A whole number.
    case integer
    /// Any number; integers are accepted and widened.
    case number
    /// Text.
    case string
    /// A list whose elements all have the given type.
    case array(FieldType)
    /// A nested mapping with its own documented keys.
    case object
    /// No constraint: the default is `null` and the documentation names no type.
    case any

    /// The type shown by a default value: `1` is an integer, `1.0` a number, `[]` a list of anything.
    public init(inferredFrom value: ConfigValue) {
        switch value {
        case .null: self = .any
        case .bool: self = .boolean
        case .int: self = .integer
        case .double: self = .number
        case .string: self = .string
        case .array(let items): self = .array(items.first.map(FieldType.init(inferredFrom:)) ?? .any)
        case .object: self = .object
        }
    }

    /// The type as an article-led phrase for messages: "an integer", "a list of numbers".
    public var phrase: String {
        switch self {
        case .boolean: "a boolean"
        case .integer: "an integer"
        case .number: "a number"
        case .string: "a string"
        case .array(.any): "a list"
        case .array(let element): "a list of \(element.plural)"
        case .object: "a mapping"
        case .any: "any value"
        }
    }

    private var plural: String {
        switch self {
        case .boolean: "booleans"
        case .integer: "integers"
        case .number: "numbers"
        case .string: "strings"
        case .array: "lists"
        case .object: "mappings"
        case .any: "values"
        }
    }
}

extension FieldType: CustomStringConvertible {
    /// A compact name: `integer`, `number`, `[integer]`.
    public var description: String {
        switch self {
        case .boolean: "boolean"
        case .integer: "integer"
        case .number: "number"
        case .string: "string"
        case .array(let element): "[\(element)]"
        case .object: "mapping"
        case .any: "any"
        }
    }
}

/// Everything known about one key of a configuration: the row `kiln plugins ID` prints and the
/// property the JSON Schema writes.
public struct FieldDescription: Sendable, Hashable {
    /// The key path in YAML spelling, dotted for nested keys: `schedule.warmup`.
    public var key: String
    /// The key's type.
    public var type: FieldType
    /// The value used when the spec leaves the key out (`null` for an unset optional).
    public var defaultValue: ConfigValue
    /// The key's documentation.
    public var doc: String
    /// Whether the spec must set the key.
    public var isRequired: Bool
    /// Whether `null` is accepted (the Swift property is optional).
    public var isOptional: Bool
    /// Allowed numbers, if restricted.
    public var range: FieldRange?
    /// Allowed strings, if restricted.
    public var choices: [String]?
    /// Path rule, if the key names a file or directory.
    public var path: PathRequirement?

    /// The restriction as text for listings: `>= 1`, `one of: cosine, linear`, or nil.
    public var rangeText: String? {
        var parts: [String] = []
        if let range { parts.append(range.description) }
        if let choices { parts.append("one of: " + choices.joined(separator: ", ")) }
        if let path { parts.append("path (\(path.rawValue)) inside the data roots") }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    /// The type as listed: `number`, or `number?` for an optional.
    public var typeText: String { isOptional ? "\(type)?" : "\(type)" }
}

/// A JSON-like value: the neutral form of a configuration between YAML, Swift types and JSON Schema.
///
/// Integers and floating-point numbers stay distinct so that a field's type can be read off its
/// default (`steps = 100` is an integer, `lr = 1.0` a number). Objects keep their key order, which is
/// the declaration order of the Swift type they came from.
public enum ConfigValue: Sendable, Hashable {
    /// YAML `null` / `~`, or an unset optional.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A whole number written without a fraction or exponent.
    case int(Int)
    /// A number with a fraction or exponent (`0.1`, `3e-3`), or an integer widened for a number key.
    case double(Double)
    /// Text.
    case string(String)
    /// A list.
    case array([ConfigValue])
    /// A mapping with ordered keys.
    case object(ConfigObject)

    /// The value as an object, if it is one.
    public var object: ConfigObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The value as an array, if it is one.
    public var array: [ConfigValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The value as a string, if it is one.
    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The value as an integer, if it is one (an integral double counts).
    public var int: Int? {
        switch self {
        case .int(let i): i
        case .double(let d) where d.rounded() == d && abs(d) < 9e15: Int(d)
        default: nil
        }
    }

    /// The value as a number, if it is an integer or a double.
    public var double: Double? {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }

    /// The value as a Boolean, if it is one.
    public var bool: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// True for `.null`.
    public var isNull: Bool { self == .null }

    /// The value at `path`, if every step of it exists.
    public subscript(path: ConfigKeyPath) -> ConfigValue? {
        var current = self
        for component in path.components {
            switch component {
            case .key(let k):
                guard let next = current.object?[k] else { return nil }
                current = next
            case .index(let i):
                guard let a = current.array, a.indices.contains(i) else { return nil }
                current = a[i]
            }
        }
        return current
    }

    /// A short name for the value's type, as used in error messages ("a number", "a list").
    public var typeDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int: "an integer"
        case .double: "a number"
        case .string: "a string"
        case .array: "a list"
        case .object: "a mapping"
        }
    }
}

extension ConfigValue: CustomStringConvertible {
    /// A compact, YAML-flow-like rendering for messages and labels: `0.001`, `[128, 128]`, `{a: 1}`.
    public var description: String {
        switch self {
        case .null: "null"
        case .bool(let b): "\(b)"
        case .int(let i): "\(i)"
        case .double(let d): "\(d)"
        case .string(let s): s
        case .array(let a): "[" + a.map(\.description).joined(separator: ", ") + "]"
        case .object(let o): "{" + o.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        }
    }
}

/// An object whose keys keep the order they were inserted in.
public struct ConfigObject: Sendable, Hashable, RandomAccessCollection {
    /// The keys, in order.
    public private(set) var keys: [String] = []
    private var storage: [String: ConfigValue] = [:]

    /// An empty object.
    public init() {}

    /// An object with `pairs` in order; a repeated key keeps its last value at its first position.
    public init(_ pairs: [(String, ConfigValue)]) {
        for (k, v) in pairs { self[k] = v }
    }

    /// The value for `key`; setting `nil` removes the key, setting a new key appends it.
    public subscript(key: String) -> ConfigValue? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    /// The position of the first key.
    public var startIndex: Int { keys.startIndex }
    /// One past the position of the last key.
    public var endIndex: Int { keys.endIndex }
    /// The entry at `position`, in key order.
    public subscript(position: Int) -> (key: String, value: ConfigValue) {
        let key = keys[position]
        return (key, storage[key]!)
    }

    // Order is part of identity only for display; two objects with the same entries are equal.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.storage == rhs.storage }
    public func hash(into hasher: inout Hasher) { hasher.combine(storage) }
}

extension ConfigObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, ConfigValue)...) { self.init(elements) }
}

extension ConfigValue: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: ConfigValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, ConfigValue)...) { self = .object(ConfigObject(elements)) }
    public init(nilLiteral: ()) { self = .null }
}

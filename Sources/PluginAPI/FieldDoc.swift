/// What a configuration says about one of its keys, beyond the type and default its Swift property gives.
///
/// Lives in the config type's ``PluginConfig/documentation`` table next to the properties, so the
/// default, type, range and documentation of a key are all read from one type. Ranges and choices
/// declared here are checked by the loader; `validate` is left for rules that span several keys.
public struct FieldDoc: Sendable, Hashable {
    /// One or two sentences for `kiln plugins ID`, the JSON Schema and editor tooltips.
    public var text: String
    /// Allowed numeric values; for a list of numbers, each element's.
    public var range: FieldRange?
    /// Allowed string values; for a list of strings, each element's.
    public var choices: [String]?
    /// The key's type when the default cannot show it: a `nil` optional or an empty list.
    public var type: FieldType?
    /// The spec must set this key: the default is only a placeholder.
    public var isRequired: Bool
    /// The value is a file system path, resolved against the spec and confined to the data roots.
    public var path: PathRequirement?

    /// Documentation for a key, with optional range, choices, type, requirement and path rules.
    public init(
        _ text: String, range: FieldRange? = nil, choices: [String]? = nil, type: FieldType? = nil,
        required: Bool = false, path: PathRequirement? = nil
    ) {
        self.text = text
        self.range = range
        self.choices = choices
        self.type = type
        self.isRequired = required
        self.path = path
    }

    /// Documentation for a key whose values are the raw values of a `String` enum.
    public init<E: CaseIterable & RawRepresentable>(
        _ text: String, choices: E.Type, type: FieldType? = nil, required: Bool = false
    ) where E.RawValue == String {
        self.init(text, choices: E.allCases.map(\.rawValue), type: type, required: required)
    }
}

/// An interval of allowed numbers; either end may be open, closed or absent.
public struct FieldRange: Sendable, Hashable {
    /// One end of a range.
    public struct Bound: Sendable, Hashable {
        /// The end point.
        public var value: Double
        /// Whether the end point itself is allowed.
        public var isInclusive: Bool
    }
    /// The lower end, if any.
    public var lower: Bound?
    /// The upper end, if any.
    public var upper: Bound?

    /// `x >= value`.
    public static func atLeast(_ value: Double) -> Self { Self(lower: Bound(value: value, isInclusive: true)) }
    /// `x > value`.
    public static func greaterThan(_ value: Double) -> Self { Self(lower: Bound(value: value, isInclusive: false)) }
    /// `x <= value`.
    public static func atMost(_ value: Double) -> Self { Self(upper: Bound(value: value, isInclusive: true)) }
    /// `x < value`.
    public static func lessThan(_ value: Double) -> Self { Self(upper: Bound(value: value, isInclusive: false)) }
    /// `low <= x <= high`.
    public static func between(_ low: Double, _ high: Double) -> Self {
        Self(lower: Bound(value: low, isInclusive: true), upper: Bound(value: high, isInclusive: true))
    }
    /// `x > 0`.
    public static let positive = greaterThan(0)
    /// `x >= 0`.
    public static let nonNegative = atLeast(0)
    /// `0 <= x <= 1`.
    public static let unitInterval = between(0, 1)

    /// This range with its upper end moved to `value`, exclusive: `.greaterThan(0).below(1)` is (0, 1).
    public func below(_ value: Double) -> Self { Self(lower: lower, upper: Bound(value: value, isInclusive: false)) }
    /// This range with its upper end moved to `value`, inclusive.
    public func upTo(_ value: Double) -> Self { Self(lower: lower, upper: Bound(value: value, isInclusive: true)) }

    /// Whether `x` lies in the range.
    public func contains(_ x: Double) -> Bool {
        if let lower, lower.isInclusive ? x < lower.value : x <= lower.value { return false }
        if let upper, upper.isInclusive ? x > upper.value : x >= upper.value { return false }
        return !x.isNaN
    }
}

extension FieldRange: CustomStringConvertible {
    /// `>= 1`, `> 0`, `[0, 1]`, `(0, 1)`, as shown by `kiln plugins ID` and in range errors.
    public var description: String {
        func number(_ d: Double) -> String { d.rounded() == d && abs(d) < 1e15 ? String(Int(d)) : "\(d)" }
        switch (lower, upper) {
        case (let l?, let u?):
            return (l.isInclusive ? "[" : "(") + "\(number(l.value)), \(number(u.value))" + (u.isInclusive ? "]" : ")")
        case (let l?, nil): return (l.isInclusive ? ">= " : "> ") + number(l.value)
        case (nil, let u?): return (u.isInclusive ? "<= " : "< ") + number(u.value)
        case (nil, nil): return "any"
        }
    }
}

/// What a path-valued key must point at when the spec is validated.
public enum PathRequirement: String, Sendable, Hashable, Codable {
    /// An existing regular file (after resolving symlinks).
    case existingFile = "existing-file"
    /// An existing directory.
    case existingDirectory = "existing-directory"
    /// Anything inside the roots, existing or not (an output or cache location).
    case any
}

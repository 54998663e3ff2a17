import Foundation
import PluginAPI

/// A line and column in a spec file, both counted from 1 (as libyaml reports them).
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The line, from 1; 0 when the problem concerns the whole file.
    public var line: Int
    /// The column in Unicode scalars, from 1; 0 when unknown.
    public var column: Int

    /// A location.
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// The start of the file.
    public static let start = SourceLocation(line: 1, column: 1)

    /// `line:col`.
    public var description: String { "\(line):\(column)" }

    public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.line, lhs.column) < (rhs.line, rhs.column) }
}

/// A YAML node with its position, detached from Yams (whose `Node` is not `Sendable`).
///
/// Scalars are typed here by the YAML 1.2 core rules rather than Yams' YAML 1.1 ones, so `3e-3` is a
/// number, `yes` is text, and only plain (unquoted) scalars are ever anything but text.
struct SourceNode: Sendable, Hashable {
    struct Entry: Sendable, Hashable {
        var key: String
        var keyLocation: SourceLocation
        var value: SourceNode
    }

    enum Content: Sendable, Hashable {
        case scalar(ConfigValue)
        case mapping([Entry])
        case sequence([SourceNode])
    }

    var content: Content
    var location: SourceLocation

    /// The entries of a mapping, or nil.
    var entries: [Entry]? {
        if case .mapping(let entries) = content { return entries }
        return nil
    }

    /// The items of a sequence, or nil.
    var sequence: [SourceNode]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    /// The value for `key` in a mapping.
    subscript(key: String) -> SourceNode? { entries?.first { $0.key == key }?.value }

    /// The node at `path`, if every step of it exists.
    subscript(path path: ConfigKeyPath) -> SourceNode? {
        var node = self
        for component in path.components {
            switch component {
            case .key(let k):
                guard let next = node[k] else { return nil }
                node = next
            case .index(let i):
                guard let items = node.sequence, items.indices.contains(i) else { return nil }
                node = items[i]
            }
        }
        return node
    }

    /// Where `key` is written in a mapping; the node's own position if it is not there.
    func keyLocation(of key: String) -> SourceLocation { entries?.first { $0.key == key }?.keyLocation ?? location }

    /// The value without positions.
    var value: ConfigValue {
        switch content {
        case .scalar(let v): v
        case .sequence(let items): .array(items.map(\.value))
        case .mapping(let entries): .object(ConfigObject(entries.map { ($0.key, $0.value.value) }))
        }
    }

    /// The mapping's entries without positions, leaving out `excluded` keys.
    func object(excluding excluded: Set<String> = []) -> ConfigObject {
        ConfigObject((entries ?? []).filter { !excluded.contains($0.key) }.map { ($0.key, $0.value.value) })
    }

    /// Where `path` points: the key's own position when `atKey` is set (for "unknown key"), otherwise
    /// the value's. A path that leaves the tree points at the deepest node it reached, which for a
    /// missing key is the mapping that should have held it.
    func location(of path: ConfigKeyPath, atKey: Bool = false) -> SourceLocation {
        var node = self
        for (i, component) in path.components.enumerated() {
            switch (component, node.content) {
            case (.key(let k), .mapping(let entries)):
                guard let entry = entries.first(where: { $0.key == k }) else { return node.location }
                if atKey && i == path.components.count - 1 { return entry.keyLocation }
                node = entry.value
            case (.index(let i), .sequence(let items)) where items.indices.contains(i):
                node = items[i]
            default:
                return node.location
            }
        }
        return node.location
    }

    /// This tree with `replacement` at `path`, adding mapping keys that are missing. A list position
    /// that does not exist is left alone; resolving the result reports it.
    func setting(_ replacement: SourceNode, at path: ConfigKeyPath) -> SourceNode {
        guard let first = path.components.first else { return replacement }
        let rest = ConfigKeyPath(Array(path.components.dropFirst()))
        var copy = self
        switch (first, content) {
        case (.key(let k), .mapping(var entries)):
            if let i = entries.firstIndex(where: { $0.key == k }) {
                entries[i].value = entries[i].value.setting(replacement, at: rest)
            } else {
                let empty = SourceNode(content: .mapping([]), location: replacement.location)
                entries.append(
                    Entry(key: k, keyLocation: replacement.location, value: empty.setting(replacement, at: rest)))
            }
            copy.content = .mapping(entries)
        case (.index(let i), .sequence(var items)) where items.indices.contains(i):
            items[i] = items[i].setting(replacement, at: rest)
            copy.content = .sequence(items)
        case (.key(let k), .scalar(.null)):
            // `optimizer:` left empty is a null scalar; a sweep key under it turns it into a mapping.
            let empty = SourceNode(content: .mapping([]), location: location)
            return empty.setting(replacement, at: ConfigKeyPath([.key(k)] + rest.components))
        default:
            break
        }
        return copy
    }

    /// Where `setting(_:at: path)` could not go: the deepest node on the path that is written as something other
    /// than what the next component needs (a key inside a plain value or a list, an index inside a mapping), with
    /// its path; nil when the path can be set (missing mapping keys are added, a null becomes a mapping).
    func obstacle(along path: ConfigKeyPath) -> (path: ConfigKeyPath, value: ConfigValue)? {
        var node = self
        for (i, component) in path.components.enumerated() {
            switch (component, node.content) {
            case (.key(let k), .mapping(let entries)):
                guard let entry = entries.first(where: { $0.key == k }) else { return nil }
                node = entry.value
            case (.key, .scalar(.null)):
                return nil
            case (.index(let n), .sequence(let items)) where items.indices.contains(n):
                node = items[n]
            case (.index, .sequence):
                return nil  // a missing entry is reported where lists are written out
            default:
                return (ConfigKeyPath(Array(path.components[..<i])), node.value)
            }
        }
        return nil
    }

    /// A scalar node built from a value, for sweep points and defaults.
    init(_ value: ConfigValue, at location: SourceLocation) {
        self.location = location
        switch value {
        case .array(let items): content = .sequence(items.map { SourceNode($0, at: location) })
        case .object(let o):
            content = .mapping(
                o.map { Entry(key: $0.key, keyLocation: location, value: SourceNode($0.value, at: location)) })
        default: content = .scalar(value)
        }
    }

    init(content: Content, location: SourceLocation) {
        self.content = content
        self.location = location
    }
}

/// Types a plain scalar: null, boolean, integer, float, or else text (YAML 1.2 core schema, plus
/// `_` digit separators, which make `steps: 100_000` readable).
///
/// Hand-written rather than regular expressions: it runs once per scalar, and a document may hold
/// up to the node budget of them.
func typedScalar(_ text: String) -> ConfigValue {
    switch text {
    case "", "~", "null", "Null", "NULL": return .null
    case "true", "True", "TRUE": return .bool(true)
    case "false", "False", "FALSE": return .bool(false)
    case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .double(.infinity)
    case "-.inf", "-.Inf", "-.INF": return .double(-.infinity)
    case ".nan", ".NaN", ".NAN": return .double(.nan)
    default: break
    }
    let bytes = Array(text.utf8)
    guard let first = bytes.first,
        first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || first == UInt8(ascii: ".")
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first)
    else { return .string(text) }
    if bytes.count > 2, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "x"),
        let i = Int(text.dropFirst(2), radix: 16)
    {
        return .int(i)
    }
    let digits = UInt8(ascii: "0")...UInt8(ascii: "9")
    let unsigned = first == UInt8(ascii: "-") || first == UInt8(ascii: "+") ? bytes.dropFirst() : bytes[...]
    guard let lead = unsigned.first, lead == UInt8(ascii: ".") || digits.contains(lead) else { return .string(text) }
    let cleaned = text.replacingOccurrences(of: "_", with: "")
    if unsigned.allSatisfy({ digits.contains($0) || $0 == UInt8(ascii: "_") }), digits.contains(lead) {
        return Int(cleaned).map(ConfigValue.int) ?? Double(cleaned).map(ConfigValue.double) ?? .string(text)
    }
    let allowed = Set("0123456789._eE+-".utf8)
    guard unsigned.allSatisfy(allowed.contains), unsigned.contains(where: digits.contains), let d = Double(cleaned)
    else {
        return .string(text)
    }
    return .double(d)
}

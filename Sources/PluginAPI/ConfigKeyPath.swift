/// A path to a value inside a configuration or spec: `optimizer.schedule.warmup`, `eval.evaluators[1]`.
public struct ConfigKeyPath: Sendable, Hashable, Comparable {
    /// One step of a path.
    public enum Component: Sendable, Hashable {
        /// A mapping key, in its YAML (snake_case) spelling.
        case key(String)
        /// A position in a list.
        case index(Int)
    }

    /// The steps from the root.
    public var components: [Component]

    /// A path made of `components`.
    public init(_ components: [Component] = []) { self.components = components }

    /// Parses `a.b[2].c`; a purely numeric dotted step (`stages.1.lr`) is read as an index too.
    public init(parsing text: String) {
        var components: [Component] = []
        for part in text.split(separator: ".", omittingEmptySubsequences: true) {
            var rest = Substring(part)
            if let bracket = rest.firstIndex(of: "[") {
                let head = rest[..<bracket]
                if !head.isEmpty { components.append(Self.component(head)) }
                rest = rest[bracket...]
                while rest.first == "[", let close = rest.firstIndex(of: "]") {
                    let inner = rest[rest.index(after: rest.startIndex)..<close]
                    components.append(Int(inner).map(Component.index) ?? .key(String(inner)))
                    rest = rest[rest.index(after: close)...]
                }
                if !rest.isEmpty { components.append(.key(String(rest))) }
            } else {
                components.append(Self.component(rest))
            }
        }
        self.components = components
    }

    private static func component(_ text: Substring) -> Component {
        Int(text).map(Component.index) ?? .key(String(text))
    }

    /// The root: the empty path.
    public static let root = ConfigKeyPath()

    /// True for the root.
    public var isEmpty: Bool { components.isEmpty }

    /// This path followed by `key`.
    public func appending(_ key: String) -> ConfigKeyPath { ConfigKeyPath(components + [.key(key)]) }

    /// This path followed by the list position `index`.
    public func appending(index: Int) -> ConfigKeyPath { ConfigKeyPath(components + [.index(index)]) }

    /// This path followed by `other`.
    public func appending(_ other: ConfigKeyPath) -> ConfigKeyPath { ConfigKeyPath(components + other.components) }

    /// The path without its last step (the root stays the root).
    public var parent: ConfigKeyPath { ConfigKeyPath(Array(components.dropLast())) }

    /// The last key of the path, if it ends in a key.
    public var lastKey: String? {
        if case .key(let k)? = components.last { return k }
        return nil
    }

    /// Sorts by rendered text, so problems list in a stable order.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.description < rhs.description }
}

extension ConfigKeyPath: CustomStringConvertible {
    /// `a.b[2].c`; a key that itself holds a dot is quoted in brackets: `sweep["optimizer.lr"]`.
    public var description: String {
        var text = ""
        for component in components {
            switch component {
            case .index(let i): text += "[\(i)]"
            case .key(let k) where k.contains(".") || k.isEmpty: text += "[\"\(k)\"]"
            case .key(let k): text += text.isEmpty ? k : "." + k
            }
        }
        return text
    }
}

extension ConfigKeyPath: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self.init(parsing: value) }
}

import Foundation

/// Encodes an `Encodable` value into a ``ConfigValue`` tree.
///
/// Unlike `JSONEncoder` it keeps integers and doubles apart (`1.0` stays a double), keeps keys in the
/// order they are encoded, spells keys in snake_case, and writes `nil` optionals as explicit `null`
/// so that an optional field still shows up as a key with a `null` default.
public struct ConfigValueEncoder: Sendable {
    /// A new encoder.
    public init() {}

    /// The tree for `value`.
    public func encode(_ value: some Encodable) throws -> ConfigValue {
        try EncodingNode.encode(value, codingPath: [])
    }
}

/// Where an encoder's containers write; resolved into a `ConfigValue` when encoding ends.
private final class EncodingNode {
    enum Content {
        case empty
        case value(ConfigValue)
        case object([(String, EncodingNode)])
        case array([EncodingNode])
    }
    var content: Content = .empty

    init() {}
    init(_ value: ConfigValue) { content = .value(value) }

    var value: ConfigValue {
        switch content {
        case .empty: .object(ConfigObject())  // a type that encodes nothing is an empty mapping
        case .value(let v): v
        case .object(let pairs): .object(ConfigObject(pairs.map { ($0.0, $0.1.value) }))
        case .array(let items): .array(items.map(\.value))
        }
    }

    static func encode(_ value: some Encodable, codingPath: [any CodingKey]) throws -> ConfigValue {
        try node(for: value, codingPath: codingPath).value
    }

    static func node(for value: some Encodable, codingPath: [any CodingKey]) throws -> EncodingNode {
        if let url = value as? URL { return EncodingNode(.string(url.isFileURL ? url.path : url.absoluteString)) }
        let node = EncodingNode()
        try value.encode(to: ConfigEncoderImpl(node: node, codingPath: codingPath))
        return node
    }

    func append(_ key: String, _ child: EncodingNode) {
        if case .object(var pairs) = content {
            pairs.removeAll { $0.0 == key }
            pairs.append((key, child))
            content = .object(pairs)
        } else {
            content = .object([(key, child)])
        }
    }

    func append(_ child: EncodingNode) {
        if case .array(var items) = content {
            items.append(child)
            content = .array(items)
        } else {
            content = .array([child])
        }
    }
}

private struct ConfigEncoderImpl: Encoder {
    let node: EncodingNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = node.content {} else { node.content = .object([]) }
        return KeyedEncodingContainer(KeyedContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = node.content {} else { node.content = .array([]) }
        return UnkeyedContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleContainer(node: node, codingPath: codingPath)
    }
}

/// Maps each Swift primitive to its `ConfigValue` case.
private func primitive(_ value: some Encodable) -> ConfigValue? {
    switch value {
    case let v as Bool: .bool(v)
    case let v as String: .string(v)
    case let v as Double: .double(v)
    case let v as Float: .double(Double(v))
    case let v as Int: .int(v)
    case let v as Int8: .int(Int(v))
    case let v as Int16: .int(Int(v))
    case let v as Int32: .int(Int(v))
    case let v as Int64: .int(Int(v))
    case let v as UInt: .int(Int(clamping: v))
    case let v as UInt8: .int(Int(v))
    case let v as UInt16: .int(Int(v))
    case let v as UInt32: .int(Int(v))
    case let v as UInt64: .int(Int(clamping: v))
    default: nil
    }
}

private func encodeAny(_ value: some Encodable, codingPath: [any CodingKey]) throws -> EncodingNode {
    if let p = primitive(value) { return EncodingNode(p) }
    return try EncodingNode.node(for: value, codingPath: codingPath)
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: EncodingNode
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { node.append(key.stringValue.snakeCased, EncodingNode(.null)) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        node.append(key.stringValue.snakeCased, try encodeAny(value, codingPath: codingPath + [key]))
    }

    // Synthesized Codable skips nil optionals through `encodeIfPresent`; writing `null` instead keeps
    // every declared field visible as a key, which is what lets a spec set an optional field at all.
    private mutating func encodeOptional<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { try encodeOptional(value, forKey: key) }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { try encodeOptional(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { try encodeOptional(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws { try encodeOptional(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { try encodeOptional(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws { try encodeOptional(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws { try encodeOptional(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { try encodeOptional(value, forKey: key) }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { try encodeOptional(value, forKey: key) }
    mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws { try encodeOptional(value, forKey: key) }
    mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws { try encodeOptional(value, forKey: key) }
    mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws { try encodeOptional(value, forKey: key) }
    mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws { try encodeOptional(value, forKey: key) }
    mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws { try encodeOptional(value, forKey: key) }
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        try encodeOptional(value, forKey: key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let child = EncodingNode()
        node.append(key.stringValue.snakeCased, child)
        return ConfigEncoderImpl(node: child, codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = EncodingNode()
        node.append(key.stringValue.snakeCased, child)
        return ConfigEncoderImpl(node: child, codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { superEncoder(forKey: Key(stringValue: "super")!) }
    mutating func superEncoder(forKey key: Key) -> any Encoder {
        let child = EncodingNode()
        node.append(key.stringValue.snakeCased, child)
        return ConfigEncoderImpl(node: child, codingPath: codingPath + [key])
    }
}

private struct IndexKey: CodingKey {
    var stringValue: String { "\(intValue!)" }
    var intValue: Int?
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let node: EncodingNode
    let codingPath: [any CodingKey]
    var count: Int {
        if case .array(let items) = node.content { return items.count }
        return 0
    }

    mutating func encodeNil() throws { node.append(EncodingNode(.null)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        node.append(try encodeAny(value, codingPath: codingPath + [IndexKey(count)]))
    }
    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        let child = EncodingNode()
        let path = codingPath + [IndexKey(count)]
        node.append(child)
        return ConfigEncoderImpl(node: child, codingPath: path).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = EncodingNode()
        let path = codingPath + [IndexKey(count)]
        node.append(child)
        return ConfigEncoderImpl(node: child, codingPath: path).unkeyedContainer()
    }
    mutating func superEncoder() -> any Encoder {
        let child = EncodingNode()
        let path = codingPath + [IndexKey(count)]
        node.append(child)
        return ConfigEncoderImpl(node: child, codingPath: path)
    }
}

private struct SingleContainer: SingleValueEncodingContainer {
    let node: EncodingNode
    let codingPath: [any CodingKey]
    mutating func encodeNil() throws { node.content = .value(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        node.content = try encodeAny(value, codingPath: codingPath).content
    }
}

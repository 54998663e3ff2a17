import Foundation

/// Decodes a `Decodable` value from a ``ConfigValue`` tree, the inverse of ``ConfigValueEncoder``.
///
/// Keys are looked up by their snake_case spelling. An integer is accepted where a double is
/// expected, and an integral double (`1e4`) where an integer is expected; nothing else converts.
public struct ConfigValueDecoder: Sendable {
    /// A new decoder.
    public init() {}

    /// Decodes `type` from `value`; throws `DecodingError` with the failing coding path.
    public func decode<T: Decodable>(_ type: T.Type, from value: ConfigValue) throws -> T {
        try decodeValue(type, from: value, codingPath: [])
    }
}

private func decodeValue<T: Decodable>(_ type: T.Type, from value: ConfigValue, codingPath: [any CodingKey]) throws -> T
{
    if type == URL.self {
        guard let s = value.string else { throw mismatch(type, value, codingPath) }
        let url = s.hasPrefix("/") ? URL(fileURLWithPath: s) : URL(string: s)
        guard let url else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "not a URL: \(s)"))
        }
        return url as! T
    }
    return try T(from: ConfigDecoderImpl(value: value, codingPath: codingPath))
}

private func mismatch(_ type: Any.Type, _ value: ConfigValue, _ codingPath: [any CodingKey]) -> DecodingError {
    let expected =
        switch type {
        case is Bool.Type: "a boolean"
        case is String.Type: "a string"
        case is Double.Type, is Float.Type: "a number"
        case is any FixedWidthInteger.Type: "an integer"
        default: "\(type)"
        }
    return .typeMismatch(
        type, .init(codingPath: codingPath, debugDescription: "expected \(expected), found \(value.typeDescription)"))
}

/// Reads one primitive out of a value, or throws a type mismatch naming both types.
private func primitive<T>(_ type: T.Type, _ value: ConfigValue, _ codingPath: [any CodingKey]) throws -> T {
    func integer<I: FixedWidthInteger>(_: I.Type) throws -> I {
        guard let i = value.int else { throw mismatch(type, value, codingPath) }
        guard let exact = I(exactly: i) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: codingPath, debugDescription: "\(i) does not fit in \(I.self)"))
        }
        return exact
    }
    let result: Any? =
        switch type {
        case is Bool.Type: value.bool
        case is String.Type: value.string
        case is Double.Type: value.double
        case is Float.Type: value.double.map { Float($0) }
        case is Int.Type: try integer(Int.self)
        case is Int8.Type: try integer(Int8.self)
        case is Int16.Type: try integer(Int16.self)
        case is Int32.Type: try integer(Int32.self)
        case is Int64.Type: try integer(Int64.self)
        case is UInt.Type: try integer(UInt.self)
        case is UInt8.Type: try integer(UInt8.self)
        case is UInt16.Type: try integer(UInt16.self)
        case is UInt32.Type: try integer(UInt32.self)
        case is UInt64.Type: try integer(UInt64.self)
        default: nil
        }
    guard let typed = result as? T else { throw mismatch(type, value, codingPath) }
    return typed
}

private func isPrimitive(_ type: Any.Type) -> Bool {
    type is Bool.Type || type is String.Type || type is Double.Type || type is Float.Type
        || type is any FixedWidthInteger.Type
}

private func decodeAny<T: Decodable>(_ type: T.Type, _ value: ConfigValue, _ codingPath: [any CodingKey]) throws -> T {
    if isPrimitive(type) { return try primitive(type, value, codingPath) }
    return try decodeValue(type, from: value, codingPath: codingPath)
}

private struct ConfigDecoderImpl: Decoder {
    let value: ConfigValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard let object = value.object else {
            throw DecodingError.typeMismatch(
                [String: Any].self,
                .init(codingPath: codingPath, debugDescription: "expected a mapping, found \(value.typeDescription)"))
        }
        return KeyedDecodingContainer(KeyedContainer<Key>(object: object, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard let array = value.array else {
            throw DecodingError.typeMismatch(
                [Any].self,
                .init(codingPath: codingPath, debugDescription: "expected a list, found \(value.typeDescription)"))
        }
        return UnkeyedContainer(items: array, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleContainer(value: value, codingPath: codingPath)
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let object: ConfigObject
    let codingPath: [any CodingKey]

    var allKeys: [Key] { object.keys.compactMap { Key(stringValue: $0) } }
    func contains(_ key: Key) -> Bool { lookup(key) != nil }

    /// The value under the key's snake_case spelling, or else under the key exactly as given: the keys
    /// of a `[String: T]` dictionary (environment variable names such as `OMP_NUM_THREADS`) are data,
    /// not Swift names, and keep their case.
    private func lookup(_ key: Key) -> ConfigValue? {
        object[key.stringValue.snakeCased] ?? object[key.stringValue]
    }

    private func value(for key: Key) throws -> ConfigValue {
        guard let v = lookup(key) else {
            throw DecodingError.keyNotFound(
                key, .init(codingPath: codingPath, debugDescription: "missing key '\(key.stringValue.snakeCased)'"))
        }
        return v
    }

    func decodeNil(forKey key: Key) throws -> Bool { (lookup(key) ?? .null).isNull }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decodeAny(type, try value(for: key), codingPath + [key])
    }
    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try ConfigDecoderImpl(value: try value(for: key), codingPath: codingPath + [key]).container(keyedBy: type)
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try ConfigDecoderImpl(value: try value(for: key), codingPath: codingPath + [key]).unkeyedContainer()
    }
    func superDecoder() throws -> any Decoder { try superDecoder(forKey: Key(stringValue: "super")!) }
    func superDecoder(forKey key: Key) throws -> any Decoder {
        ConfigDecoderImpl(value: lookup(key) ?? .null, codingPath: codingPath + [key])
    }
}

private struct IndexKey: CodingKey {
    var stringValue: String { "\(intValue!)" }
    var intValue: Int?
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let items: [ConfigValue]
    let codingPath: [any CodingKey]
    var currentIndex = 0
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    init(items: [ConfigValue], codingPath: [any CodingKey]) {
        self.items = items
        self.codingPath = codingPath
    }

    private mutating func next() throws -> (ConfigValue, [any CodingKey]) {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                Any.self, .init(codingPath: codingPath, debugDescription: "the list has only \(items.count) items"))
        }
        defer { currentIndex += 1 }
        return (items[currentIndex], codingPath + [IndexKey(currentIndex)])
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, items[currentIndex].isNull else { return false }
        currentIndex += 1
        return true
    }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (value, path) = try next()
        return try decodeAny(type, value, path)
    }
    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        let (value, path) = try next()
        return try ConfigDecoderImpl(value: value, codingPath: path).container(keyedBy: type)
    }
    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (value, path) = try next()
        return try ConfigDecoderImpl(value: value, codingPath: path).unkeyedContainer()
    }
    mutating func superDecoder() throws -> any Decoder {
        let (value, path) = try next()
        return ConfigDecoderImpl(value: value, codingPath: path)
    }
}

private struct SingleContainer: SingleValueDecodingContainer {
    let value: ConfigValue
    let codingPath: [any CodingKey]
    func decodeNil() -> Bool { value.isNull }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decodeAny(type, value, codingPath) }
}

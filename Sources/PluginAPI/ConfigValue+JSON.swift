extension ConfigValue {
    /// JSON text with keys in their stored order (`JSONSerialization` would shuffle them).
    ///
    /// Non-finite doubles have no JSON spelling and are written as `null`.
    public func jsonText(pretty: Bool = true) -> String {
        var out = ""
        write(to: &out, indent: pretty ? 0 : nil)
        return out
    }

    private func write(to out: inout String, indent: Int?) {
        let newline = indent.map { "\n" + String(repeating: "  ", count: $0 + 1) } ?? ""
        let closing = indent.map { "\n" + String(repeating: "  ", count: $0) } ?? ""
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += d.isFinite ? "\(d)" : "null"
        case .string(let s): out += Self.quoted(s)
        case .array(let items):
            if items.isEmpty {
                out += "[]"
                return
            }
            out += "["
            for (i, item) in items.enumerated() {
                out += (i == 0 ? "" : ",") + newline
                item.write(to: &out, indent: indent.map { $0 + 1 })
            }
            out += closing + "]"
        case .object(let object):
            if object.isEmpty {
                out += "{}"
                return
            }
            out += "{"
            for (i, (key, value)) in object.enumerated() {
                out += (i == 0 ? "" : ",") + newline + Self.quoted(key) + (indent == nil ? ":" : ": ")
                value.write(to: &out, indent: indent.map { $0 + 1 })
            }
            out += closing + "}"
        }
    }

    private static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20:
                let hex = String(c.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

extension ConfigValue: Codable {
    /// Decodes any JSON-like value; integers that fit `Int` stay integers.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? c.decode(Int.self) {
            self = .int(i)
        } else if let d = try? c.decode(Double.self) {
            self = .double(d)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([ConfigValue].self) {
            self = .array(a)
        } else {
            self = .object(
                ConfigObject(
                    try c.decode([String: ConfigValue].self).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))
        }
    }

    /// Encodes the value as its JSON-like counterpart.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case .bool(let b):
            var c = encoder.singleValueContainer()
            try c.encode(b)
        case .int(let i):
            var c = encoder.singleValueContainer()
            try c.encode(i)
        case .double(let d):
            var c = encoder.singleValueContainer()
            try c.encode(d)
        case .string(let s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        case .array(let a):
            var c = encoder.unkeyedContainer()
            for item in a { try c.encode(item) }
        case .object(let o):
            var c = encoder.container(keyedBy: AnyKey.self)
            for (k, v) in o { try c.encode(v, forKey: AnyKey(k)) }
        }
    }
}

private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension FieldDescription {
    /// The row as JSON-ready data for `kiln plugins ID --json`.
    public var jsonValue: ConfigValue {
        var o: ConfigObject = [
            "key": .string(key), "type": .string(typeText), "default": defaultValue, "doc": .string(doc),
        ]
        if isRequired { o["required"] = true }
        if let rangeText { o["range"] = .string(rangeText) }
        if let choices { o["choices"] = .array(choices.map(ConfigValue.string)) }
        if let path { o["path"] = .string(path.rawValue) }
        return .object(o)
    }
}

extension PluginDescriptor {
    /// The plugin as JSON-ready data for `kiln plugins --json`; `fields` adds every key.
    public func jsonValue(includingFields: Bool = false) -> ConfigValue {
        var o: ConfigObject = [
            "id": .string(id), "kind": .string(kind.rawValue), "version": .string(version), "summary": .string(summary),
        ]
        if includingFields { o["fields"] = .array(fields.map(\.jsonValue)) }
        return .object(o)
    }
}

extension PluginRegistry {
    /// Every plugin as JSON-ready data, in listing order, for `kiln plugins --json`.
    public func jsonValue(includingFields: Bool = false) -> ConfigValue {
        .array(plugins.map { $0.jsonValue(includingFields: includingFields) })
    }
}

import Foundation

/// A validated safetensors header: tensor entries in data order and the metadata map.
struct SafeTensorsHeader {
    struct Entry {
        let name: String
        let shape: [Int]
        let begin: Int
        let end: Int
    }

    let entries: [Entry]
    let metadata: [String: String]

    /// Parses and checks a header against the safetensors rules: a JSON object; `__metadata__` a string map;
    /// every tensor F32 with a non-negative shape and `[begin, end]` offsets whose span is the shape's bytes;
    /// tensors back to back from 0 without overlap or gap; the last ending exactly at `dataLength`.
    static func parse(_ bytes: [UInt8], path: String, dataLength: Int) throws(CheckpointError) -> SafeTensorsHeader {
        guard let first = bytes.first(where: { $0 != UInt8(ascii: " ") }), first == UInt8(ascii: "{") else {
            throw .malformedHeader(path: path, reason: "the header does not start with '{'")
        }
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw .malformedHeader(path: path, reason: describe(error))
        } catch {
            throw .malformedHeader(path: path, reason: "\(error)")
        }
        var entries: [Entry] = []
        for (name, raw) in document.tensors.sorted(by: { SafeTensors.byteOrder($0.key, $1.key) }) {
            if raw.dtype != "F32" { throw .unsupportedDType(path: path, tensor: name, dtype: raw.dtype) }
            if let bad = raw.shape.first(where: { $0 < 0 }) {
                throw .malformedHeader(
                    path: path, reason: "tensor \(name) has a negative dimension \(bad) in \(raw.shape)")
            }
            guard raw.dataOffsets.count == 2 else {
                throw .invalidOffsets(
                    path: path, tensor: name, reason: "data_offsets has \(raw.dataOffsets.count) numbers, not 2")
            }
            let (begin, end) = (raw.dataOffsets[0], raw.dataOffsets[1])
            guard begin >= 0, end >= begin else {
                throw .invalidOffsets(path: path, tensor: name, reason: "[\(begin), \(end)] is not a range")
            }
            var bytesNeeded = 4
            for d in raw.shape {
                let (product, overflow) = bytesNeeded.multipliedReportingOverflow(by: d)
                if overflow {
                    throw .malformedHeader(path: path, reason: "tensor \(name) shape \(raw.shape) overflows")
                }
                bytesNeeded = product
            }
            if end - begin != bytesNeeded {
                throw .invalidOffsets(
                    path: path, tensor: name,
                    reason: "[\(begin), \(end)] spans \(end - begin) bytes, F32 shape \(raw.shape) needs \(bytesNeeded)"
                )
            }
            entries.append(Entry(name: name, shape: raw.shape, begin: begin, end: end))
        }
        entries.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var cursor = 0
        for e in entries {
            if e.begin < cursor {
                throw .invalidOffsets(
                    path: path, tensor: e.name,
                    reason: "[\(e.begin), \(e.end)] overlaps the tensor before it, which ends at \(cursor)")
            }
            if e.begin > cursor {
                throw .invalidOffsets(
                    path: path, tensor: e.name,
                    reason: "[\(e.begin), \(e.end)] leaves bytes \(cursor)..<\(e.begin) uncovered")
            }
            cursor = e.end
        }
        if cursor > dataLength {
            throw .truncated(
                path: path,
                detail: "the header's tensors need \(cursor) data bytes, only \(dataLength) follow the header")
        }
        if cursor < dataLength {
            throw .invalidOffsets(
                path: path, tensor: entries.last?.name ?? "(none)",
                reason: "the tensors cover \(cursor) data bytes, but \(dataLength) follow the header")
        }
        return SafeTensorsHeader(entries: entries, metadata: document.metadata ?? [:])
    }

    private static func describe(_ error: DecodingError) -> String {
        func at(_ path: [any CodingKey]) -> String {
            path.isEmpty
                ? "the header" : path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .typeMismatch(let type, let c): return "\(at(c.codingPath)): expected \(type): \(c.debugDescription)"
        case .valueNotFound(let type, let c): return "\(at(c.codingPath)): missing \(type) value"
        case .keyNotFound(let key, let c): return "\(at(c.codingPath)): no \"\(key.stringValue)\" entry"
        case .dataCorrupted(let c):
            let underlying = c.underlyingError.map { ": \($0)" } ?? ""
            return "\(at(c.codingPath)): \(c.debugDescription)\(underlying)"
        @unknown default: return "\(error)"
        }
    }

    /// The raw JSON shape of a header.
    private struct Document: Decodable {
        var metadata: [String: String]?
        var tensors: [String: RawEntry] = [:]

        struct RawEntry: Decodable {
            let dtype: String
            let shape: [Int]
            let dataOffsets: [Int]
            enum CodingKeys: String, CodingKey {
                case dtype, shape
                case dataOffsets = "data_offsets"
            }
        }

        struct Key: CodingKey {
            let stringValue: String
            init(stringValue: String) { self.stringValue = stringValue }
            var intValue: Int? { nil }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Key.self)
            for key in c.allKeys {
                if key.stringValue == "__metadata__" {
                    metadata = try c.decode([String: String].self, forKey: key)
                } else {
                    tensors[key.stringValue] = try c.decode(RawEntry.self, forKey: key)
                }
            }
        }
    }
}

import Foundation
import Experiment
import Testing

/// A temporary directory removed when the last reference goes away.
final class TemporaryDirectory {
    let url: URL

    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-data-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes `bytes` to `name` inside the directory and returns its URL.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) -> URL {
        let file = url.appendingPathComponent(name)
        try! Data(bytes).write(to: file)
        return file
    }

    @discardableResult
    func write(_ name: String, text: String) -> URL { write(name, Array(text.utf8)) }
}

extension Array where Element == UInt8 {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ v: T) {
        Swift.withUnsafeBytes(of: v.littleEndian) { append(contentsOf: $0) }
    }

    mutating func appendBigEndian<T: FixedWidthInteger>(_ v: T) {
        Swift.withUnsafeBytes(of: v.bigEndian) { append(contentsOf: $0) }
    }
}

/// Builds files in the formats the loaders read, written here in Swift so the tests need no Python.
enum FileBuilder {
    /// An IDX file: magic `00 00 type rank`, big-endian dimensions, then `payload`.
    static func idx(type: UInt8, shape: [Int], payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0, 0, type, UInt8(shape.count)]
        for d in shape { out.appendBigEndian(UInt32(d)) }
        return out + payload
    }

    /// A version 1.0 `.npy` file with the given dtype string and raw little/big-endian payload.
    static func npy(descr: String, shape: [Int], payload: [UInt8], fortran: Bool = false) -> [UInt8] {
        let tuple = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(tuple), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        out.appendLittleEndian(UInt16(header.utf8.count))
        return out + Array(header.utf8) + payload
    }

    /// Float32 values as little-endian bytes.
    static func float32LE(_ values: [Float]) -> [UInt8] {
        var out = [UInt8]()
        for v in values { out.appendLittleEndian(v.bitPattern) }
        return out
    }

    /// A zip archive of the given entries, each stored or raw-deflated, with a central directory.
    static func zip(_ entries: [(name: String, data: [UInt8], deflate: Bool)]) -> [UInt8] {
        var out = [UInt8](), central = [UInt8]()
        for e in entries {
            let body = e.deflate ? try! Zlib.deflate(e.data, format: .raw) : e.data
            let crc = Zlib.crc32(e.data)
            let name = Array(e.name.utf8)
            let offset = UInt32(out.count)
            func common(_ into: inout [UInt8]) {
                into.appendLittleEndian(UInt16(20))                  // version needed
                into.appendLittleEndian(UInt16(0))                   // flags
                into.appendLittleEndian(UInt16(e.deflate ? 8 : 0))   // method
                into.appendLittleEndian(UInt32(0))                   // time, date
                into.appendLittleEndian(crc)
                into.appendLittleEndian(UInt32(body.count))
                into.appendLittleEndian(UInt32(e.data.count))
                into.appendLittleEndian(UInt16(name.count))
                into.appendLittleEndian(UInt16(0))                   // extra length
            }
            out.appendLittleEndian(UInt32(0x0403_4B50))
            common(&out)
            out += name + body
            central.appendLittleEndian(UInt32(0x0201_4B50))
            central.appendLittleEndian(UInt16(20))                   // version made by
            common(&central)
            central.appendLittleEndian(UInt16(0))                    // comment length
            central.appendLittleEndian(UInt16(0))                    // disk
            central.appendLittleEndian(UInt16(0))                    // internal attributes
            central.appendLittleEndian(UInt32(0))                    // external attributes
            central.appendLittleEndian(offset)
            central += name
        }
        let directoryOffset = UInt32(out.count)
        out += central
        out.appendLittleEndian(UInt32(0x0605_4B50))
        out.appendLittleEndian(UInt32(0))                            // disk numbers
        out.appendLittleEndian(UInt16(entries.count))
        out.appendLittleEndian(UInt16(entries.count))
        out.appendLittleEndian(UInt32(central.count))
        out.appendLittleEndian(directoryOffset)
        out.appendLittleEndian(UInt16(0))                            // comment length
        return out
    }
}

/// The `DatasetError` a throwing call raised, or nil (any other error fails the test).
func datasetError(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) -> DatasetError? {
    do {
        try body()
        return nil
    } catch let error as DatasetError {
        return error
    } catch {
        Issue.record("expected a DatasetError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// The case name of a `DatasetError` (`"truncated"`, `"badMagic"`, …), or nil.
func caseName(_ error: DatasetError?) -> String? { error.flatMap { Mirror(reflecting: $0).children.first?.label } }

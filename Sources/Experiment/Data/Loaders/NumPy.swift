public import Foundation
public import TensorEngine

/// NumPy `.npy` arrays and `.npz` archives, read as float32 tensors.
///
/// Supported element types: float16/32/64, signed and unsigned 8–64-bit integers and bool, either byte
/// order, C (row-major) order only. Fortran-ordered arrays, object arrays and structured dtypes are rejected
/// with `DatasetError.unsupported`. `.npz` entries may be stored or deflated (`savez` / `savez_compressed`).
public enum NumPy {
    /// Reads one `.npy` file.
    public static func readNPY(_ url: URL) throws(DatasetError) -> Tensor {
        try parseNPY(readFileBytes(url), file: url.path)
    }

    /// Reads every array of an `.npz` archive, keyed by name without the `.npy` suffix.
    public static func readNPZ(_ url: URL) throws(DatasetError) -> [String: Tensor] {
        let zip = try ZipArchive(readFileBytes(url), file: url.path)
        var arrays = [String: Tensor]()
        for entry in zip.entries where !entry.name.hasSuffix("/") {
            let key = entry.name.hasSuffix(".npy") ? String(entry.name.dropLast(4)) : entry.name
            arrays[key] = try parseNPY(zip.contents(of: entry), file: "\(url.path)[\(entry.name)]")
        }
        return arrays
    }

    /// Parses `.npy` bytes; `file` names the source in errors.
    public static func parseNPY(_ bytes: [UInt8], file: String) throws(DatasetError) -> Tensor {
        let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
        guard bytes.count >= 6, Array(bytes[0..<6]) == magic else {
            throw .badMagic(file: file, expected: "93 4e 55 4d 50 59 (\\x93NUMPY)", found: hexPrefix(bytes, 6))
        }
        var r = ByteReader(bytes, file: file, position: 6)
        let major = try r.uint8()
        _ = try r.uint8()
        guard (1...3).contains(major) else { throw .unsupported(file: file, detail: "npy format version \(major)") }
        let headerLength = Int(try r.littleEndian(major == 1 ? 2 : 4))
        let header = String(decoding: try r.bytes(headerLength), as: UTF8.self)
        let (descr, fortran, shape) = try parseHeader(header, file: file)
        if fortran {
            throw .unsupported(file: file, detail: "Fortran-ordered array; save it C-ordered "
                               + "(numpy.ascontiguousarray) before loading")
        }
        let type = try ElementType(descr, file: file)
        let count = shape.reduce(1, *)
        try r.require(count * type.width)
        if r.remaining != count * type.width {
            throw .shapeMismatch(file: file, detail: "shape \(shape) of \(descr) needs \(count * type.width) data "
                                 + "bytes, file has \(r.remaining)")
        }
        let start = r.position
        let values = bytes.withUnsafeBufferPointer { src in
            (0..<count).map { type.value(src.baseAddress! + start + $0 * type.width) }
        }
        return Tensor(shape, values)
    }

    /// Pulls `descr`, `fortran_order` and `shape` out of the header's Python dict literal.
    static func parseHeader(_ header: String, file: String) throws(DatasetError) -> (String, Bool, [Int]) {
        func value(_ key: String) -> Substring? {
            guard let k = header.range(of: "'\(key)'"), let colon = header[k.upperBound...].firstIndex(of: ":")
            else { return nil }
            return header[header.index(after: colon)...].drop { $0 == " " }
        }
        guard let d = value("descr"), d.first == "'" || d.first == "\"",
              let end = d.dropFirst().firstIndex(of: d.first!)
        else { throw .malformed(file: file, line: nil, detail: "npy header has no string 'descr': \(header)") }
        guard let f = value("fortran_order"), f.hasPrefix("True") || f.hasPrefix("False") else {
            throw .malformed(file: file, line: nil, detail: "npy header has no 'fortran_order': \(header)")
        }
        guard let s = value("shape"), s.first == "(", let close = s.firstIndex(of: ")") else {
            throw .malformed(file: file, line: nil, detail: "npy header has no tuple 'shape': \(header)")
        }
        var shape = [Int]()
        for part in s[s.index(after: s.startIndex)..<close].split(separator: ",") {
            let t = part.trimmingCharacters(in: .whitespaces)
            if t.isEmpty { continue }
            guard let n = Int(t.hasSuffix("L") ? String(t.dropLast()) : t), n >= 0 else {
                throw .malformed(file: file, line: nil, detail: "npy shape entry '\(t)' is not a size")
            }
            shape.append(n)
        }
        return (String(d[d.index(after: d.startIndex)..<end]), f.hasPrefix("True"), shape)
    }

    /// An element type from a dtype string such as `<f4`, `|u1`, `>i8`.
    struct ElementType {
        enum Kind { case float, signed, unsigned, bool }
        let kind: Kind
        let width: Int
        let bigEndian: Bool

        init(_ descr: String, file: String) throws(DatasetError) {
            let chars = Array(descr)
            guard chars.count >= 3, "<>|=".contains(chars[0]), let w = Int(String(chars[2...])) else {
                throw .unsupported(file: file, detail: "dtype '\(descr)' (structured or object arrays are not read)")
            }
            switch (chars[1], w) {
            case ("f", 2), ("f", 4), ("f", 8): kind = .float
            case ("i", 1), ("i", 2), ("i", 4), ("i", 8): kind = .signed
            case ("u", 1), ("u", 2), ("u", 4), ("u", 8): kind = .unsigned
            case ("b", 1): kind = .bool
            default: throw .unsupported(file: file, detail: "dtype '\(descr)'")
            }
            width = w
            bigEndian = chars[0] == ">"
        }

        func value(_ p: UnsafePointer<UInt8>) -> Float {
            var bits: UInt64 = 0
            for k in 0..<width { bits |= UInt64(p[bigEndian ? width - 1 - k : k]) << (8 * UInt64(k)) }
            switch kind {
            case .bool: return bits == 0 ? 0 : 1
            case .unsigned: return Float(bits)
            case .signed:
                let shift = UInt64(64 - 8 * width)
                return Float(Int64(bitPattern: bits << shift) >> Int64(shift))
            case .float:
                switch width {
                case 2: return Self.half(UInt16(bits))
                case 4: return Float(bitPattern: UInt32(bits))
                default: return Float(Double(bitPattern: bits))
                }
            }
        }

        /// IEEE binary16 to float32 (written out: `Float16` is not available on every platform).
        static func half(_ h: UInt16) -> Float {
            let sign = UInt32(h >> 15) << 31, exponent = UInt32(h >> 10 & 0x1F), mantissa = UInt32(h & 0x3FF)
            switch exponent {
            case 0: return (sign == 0 ? 1 : -1) * Float(mantissa) * 0x1p-24
            case 31: return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13)
            default: return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
            }
        }
    }
}

public import Foundation

/// Why a dataset file could not be loaded. Every case names the file and what is wrong with it.
public enum DatasetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened or read (missing, a directory, no permission).
    case unreadable(file: String, reason: String)
    /// The file does not start with the bytes its format requires.
    case badMagic(file: String, expected: String, found: String)
    /// The file ends before the data its header promises.
    case truncated(file: String, expectedBytes: Int, actualBytes: Int)
    /// Sizes that must agree do not (rows vs labels, node ids vs node count, a header vs the data).
    case shapeMismatch(file: String, detail: String)
    /// A valid file using a feature this loader does not support (Fortran order, an unknown dtype).
    case unsupported(file: String, detail: String)
    /// Text that does not parse; `line` counts from 1 when known.
    case malformed(file: String, line: Int?, detail: String)
    /// Compressed data that does not inflate, or fails its checksum.
    case corruptCompressedData(file: String, detail: String)
    /// A requested entry, column or file is not there.
    case missing(file: String, detail: String)

    /// The file the error is about.
    public var file: String {
        switch self {
        case .unreadable(let f, _), .badMagic(let f, _, _), .truncated(let f, _, _), .shapeMismatch(let f, _),
             .unsupported(let f, _), .malformed(let f, _, _), .corruptCompressedData(let f, _), .missing(let f, _):
            f
        }
    }

    /// `<file>: <what is wrong>`.
    public var description: String {
        switch self {
        case .unreadable(let f, let r): "\(f): cannot read file: \(r)"
        case .badMagic(let f, let e, let g): "\(f): bad magic number: expected \(e), found \(g)"
        case .truncated(let f, let e, let a): "\(f): truncated: needs \(e) bytes, has \(a)"
        case .shapeMismatch(let f, let d): "\(f): shape mismatch: \(d)"
        case .unsupported(let f, let d): "\(f): unsupported: \(d)"
        case .malformed(let f, let l, let d): "\(f)\(l.map { ":\($0)" } ?? ""): malformed: \(d)"
        case .corruptCompressedData(let f, let d): "\(f): corrupt compressed data: \(d)"
        case .missing(let f, let d): "\(f): missing: \(d)"
        }
    }
}

extension DatasetError: LocalizedError {
    /// Same as `description`.
    public var errorDescription: String? { description }
}

/// Reads a whole file, turning I/O failures into `DatasetError.unreadable`.
func readFileBytes(_ url: URL) throws(DatasetError) -> [UInt8] {
    do {
        return [UInt8](try Data(contentsOf: url))
    } catch {
        throw .unreadable(file: url.path, reason: error.localizedDescription)
    }
}

/// Hex of up to the first `n` bytes, for error messages.
func hexPrefix(_ bytes: some Collection<UInt8>, _ n: Int = 8) -> String {
    bytes.prefix(n).map { String(format: "%02x", $0) }.joined(separator: " ")
}

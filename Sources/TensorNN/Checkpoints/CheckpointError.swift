/// Why a checkpoint or safetensors file could not be written, read or used. Every case names the file.
public enum CheckpointError: Error, Equatable, CustomStringConvertible {
    /// A system call failed (`open`, `write`, `fsync`, `rename`, …) with the given `strerror` text.
    case io(path: String, operation: String, message: String)
    /// The file ends before the data its header announces.
    case truncated(path: String, detail: String)
    /// The 8-byte header length points past the end of the file (or over the 100 MB header limit).
    case headerLengthOutOfRange(path: String, headerLength: UInt64, fileSize: Int)
    /// The header is not a JSON object of the safetensors shape.
    case malformedHeader(path: String, reason: String)
    /// A tensor is stored in a type other than F32.
    case unsupportedDType(path: String, tensor: String, dtype: String)
    /// Data offsets out of range, overlapping, leaving gaps, or not matching the tensor's shape.
    case invalidOffsets(path: String, tensor: String, reason: String)
    /// The Kiln format version is missing or not one this build reads.
    case unsupportedFormatVersion(path: String, found: String, supported: Int)
    /// A Kiln metadata entry is missing or unreadable, or a caller key uses the reserved `kiln.` prefix.
    case invalidMetadata(path: String, key: String, reason: String)
    /// Two tensors would be stored under one name (a parameter and an optimizer slot).
    case nameCollision(path: String, name: String)
    /// The checkpoint does not fit the model or optimizer it is restored into.
    case incompatible(path: String, reason: String)
    /// The `latest` pointer names no readable checkpoint.
    case invalidLatestPointer(path: String, content: String)

    /// A message naming what failed and where.
    public var description: String {
        switch self {
        case .io(let path, let op, let message): return "\(path): \(op) failed: \(message)"
        case .truncated(let path, let detail): return "\(path): truncated file: \(detail)"
        case .headerLengthOutOfRange(let path, let n, let size):
            return "\(path): header length \(n) does not fit in a file of \(size) bytes (or exceeds 100 MB)"
        case .malformedHeader(let path, let reason): return "\(path): malformed safetensors header: \(reason)"
        case .unsupportedDType(let path, let tensor, let dtype):
            return "\(path): tensor \(tensor) has dtype \(dtype); only F32 is supported"
        case .invalidOffsets(let path, let tensor, let reason):
            return "\(path): tensor \(tensor) has invalid data offsets: \(reason)"
        case .unsupportedFormatVersion(let path, let found, let supported):
            return
                "\(path): checkpoint format version \(found) is not supported (this build reads version \(supported))"
        case .invalidMetadata(let path, let key, let reason): return "\(path): metadata \(key): \(reason)"
        case .nameCollision(let path, let name): return "\(path): two tensors named \(name)"
        case .incompatible(let path, let reason): return "\(path): checkpoint does not fit: \(reason)"
        case .invalidLatestPointer(let path, let content):
            return "\(path): latest pointer \"\(content)\" names no checkpoint in this folder"
        }
    }
}

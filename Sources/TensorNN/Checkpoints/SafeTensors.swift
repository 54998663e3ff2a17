import DurableFile
public import Foundation
public import TensorEngine

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

#if !_endian(little)
    #error("SafeTensors writes the host's float bytes as little-endian F32")
#endif

/// Float32 tensors in the safetensors format, which PyTorch (`safetensors.torch.load_file`), Hugging Face and
/// candle load directly:
///
///     8 bytes   N, the header length, unsigned little-endian
///     N bytes   JSON object: name → {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]},
///               plus "__metadata__": {string: string}; padded with spaces to a multiple of 8
///     rest      the tensors' little-endian bytes, back to back, offsets relative to here
///
/// Names are written in byte order, each tensor's data right after the previous one's. Reading checks every
/// rule of the format and throws `CheckpointError` naming the file and the fault.
public enum SafeTensors {
    /// The largest header read (the reference implementation's limit).
    public static let maxHeaderBytes = 100_000_000

    /// Writes `tensors` and `metadata` to `url` atomically (temp file, fsync, rename, fsync of the directory).
    public static func write(_ tensors: [String: Tensor], metadata: [String: String] = [:], to url: URL)
        throws(CheckpointError)
    {
        let names = tensors.keys.sorted(by: byteOrder)
        var entries: [String] = []
        var offset = 0
        for name in names {
            let t = tensors[name]!
            let end = offset + t.count * 4
            entries.append(
                "\(quoted(name)):{\"dtype\":\"F32\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],"
                    + "\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted(by: byteOrder).map { "\(quoted($0)):\(quoted(metadata[$0]!))" }
            entries.insert("\"__metadata__\":{\(pairs.joined(separator: ","))}", at: 0)
        }
        var header = Array("{\(entries.joined(separator: ","))}".utf8)
        header.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8))
        let length = UInt64(header.count)
        try CheckpointIO.write(to: url) { (w: borrowing AtomicFile.Writer) throws(AtomicFileError) in
            try w.write((0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) })
            try w.write(header)
            for name in names {
                let t = tensors[name]!
                try w.write(UnsafeRawBufferPointer(start: t.storage.base, count: t.count * 4))
            }
        }
    }

    /// Reads and validates a safetensors file of F32 tensors.
    public static func read(from url: URL) throws(CheckpointError) -> (
        tensors: [String: Tensor], metadata: [String: String]
    ) {
        let path = url.path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw CheckpointIO.failure(path, "open") }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) != 0 { throw CheckpointIO.failure(path, "stat") }
        let size = Int(info.st_size)
        if size < 8 { throw .truncated(path: path, detail: "\(size) bytes, fewer than the 8-byte header length") }
        let prefix = try readBytes(fd, path, offset: 0, count: 8)
        let n = prefix.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard n <= UInt64(maxHeaderBytes), Int(n) <= size - 8 else {
            throw .headerLengthOutOfRange(path: path, headerLength: n, fileSize: size)
        }
        let headerBytes = try readBytes(fd, path, offset: 8, count: Int(n))
        let layout = try SafeTensorsHeader.parse(headerBytes, path: path, dataLength: size - 8 - Int(n))
        var tensors: [String: Tensor] = [:]
        for entry in layout.entries {
            var failure: CheckpointError? = nil
            let t = Tensor.make(shape: entry.shape) { out in
                do throws(CheckpointError) {
                    try readInto(
                        fd, path, UnsafeMutableRawPointer(out.baseAddress!), offset: 8 + Int(n) + entry.begin,
                        count: entry.end - entry.begin)
                } catch { failure = error }
            }
            if let failure { throw failure }
            tensors[entry.name] = t
        }
        return (tensors, layout.metadata)
    }

    /// Byte-wise (UTF-8) order, as the reference writer sorts names.
    static func byteOrder(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    /// A JSON string literal.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }

    private static func readBytes(_ fd: Int32, _ path: String, offset: Int, count: Int) throws(CheckpointError)
        -> [UInt8]
    {
        var bytes = [UInt8](repeating: 0, count: count)
        var failure: CheckpointError? = nil
        bytes.withUnsafeMutableBytes { b in
            do throws(CheckpointError) {
                if count > 0 { try readInto(fd, path, b.baseAddress!, offset: offset, count: count) }
            } catch { failure = error }
        }
        if let failure { throw failure }
        return bytes
    }

    private static func readInto(_ fd: Int32, _ path: String, _ dst: UnsafeMutableRawPointer, offset: Int, count: Int)
        throws(CheckpointError)
    {
        var done = 0
        while done < count {
            let got = pread(fd, dst + done, count - done, off_t(offset + done))
            if got < 0 {
                if errno == EINTR { continue }
                throw CheckpointIO.failure(path, "read")
            }
            if got == 0 {
                throw .truncated(
                    path: path, detail: "file ended at byte \(offset + done) while reading \(count) bytes at \(offset)")
            }
            done += got
        }
    }
}

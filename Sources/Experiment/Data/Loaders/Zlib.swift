internal import CZlib

/// The zlib calls the loaders need: inflate for gzip files and deflated zip entries, deflate and CRC-32 for
/// tests that write such files themselves.
package enum Zlib {
    /// The framing around a deflate stream.
    package enum Format: Sendable {
        /// RFC 1952, as written by `gzip`; concatenated members are decoded one after another.
        case gzip
        /// RFC 1950 (two-byte header, Adler-32 trailer).
        case zlib
        /// Bare RFC 1951 deflate, as stored in zip entries.
        case raw

        var windowBits: Int32 {
            switch self {
            case .gzip: 15 + 16
            case .zlib: 15
            case .raw: -15
            }
        }
    }

    /// Why inflate or deflate failed.
    package struct Failure: Error, Sendable, CustomStringConvertible {
        /// What zlib reported.
        package var description: String
    }

    /// Decompresses `input`; `expectedSize` (when known) sizes the output buffer up front.
    package static func inflate(_ input: [UInt8], format: Format, expectedSize: Int? = nil) throws(Failure) -> [UInt8] {
        var output = [UInt8]()
        output.reserveCapacity(expectedSize ?? input.count * 4)
        var consumed = 0
        repeat {
            consumed += try inflateMember(input, from: consumed, format: format, into: &output)
            // Only gzip allows several members; trailing zero padding after the last one is tolerated.
        } while format == .gzip && consumed < input.count && input[consumed...].contains { $0 != 0 }
        if format != .gzip && consumed < input.count {
            throw Failure(description: "\(input.count - consumed) bytes after the end of the deflate stream")
        }
        return output
    }

    /// Inflates one stream starting at `offset`, appending to `output`; returns the input bytes it used.
    private static func inflateMember(_ input: [UInt8], from offset: Int, format: Format,
                                      into output: inout [UInt8]) throws(Failure) -> Int {
        var stream = z_stream()
        guard inflateInit2_(&stream, format.windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK
        else { throw Failure(description: "inflateInit failed") }
        defer { inflateEnd(&stream) }
        let chunk = 1 << 16
        var buffer = [UInt8](repeating: 0, count: chunk)
        let result: Int32 = input.withUnsafeBufferPointer { inp in
            stream.next_in = UnsafeMutablePointer(mutating: inp.baseAddress! + offset)
            stream.avail_in = uInt(inp.count - offset)
            while true {
                let status: Int32 = buffer.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(chunk)
                    return CZlib.inflate(&stream, Z_NO_FLUSH)
                }
                output.append(contentsOf: buffer[0..<(chunk - Int(stream.avail_out))])
                if status == Z_STREAM_END { return status }
                if status != Z_OK { return status }
                if stream.avail_in == 0 && stream.avail_out != 0 { return Z_BUF_ERROR }
            }
        }
        guard result == Z_STREAM_END else {
            let what = result == Z_BUF_ERROR ? "stream ends early (truncated)"
                : stream.msg.map { String(cString: $0) } ?? "zlib error \(result)"
            throw Failure(description: what)
        }
        return Int(stream.total_in)
    }

    /// Compresses `input` (level 6).
    package static func deflate(_ input: [UInt8], format: Format) throws(Failure) -> [UInt8] {
        var stream = z_stream()
        guard deflateInit2_(&stream, 6, Z_DEFLATED, format.windowBits, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
                            Int32(MemoryLayout<z_stream>.size)) == Z_OK
        else { throw Failure(description: "deflateInit failed") }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 64)
        let status: Int32 = input.withUnsafeBufferPointer { inp in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = UnsafeMutablePointer(mutating: inp.baseAddress)
                stream.avail_in = uInt(inp.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                return CZlib.deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw Failure(description: "deflate returned \(status)") }
        output.removeLast(output.count - Int(stream.total_out))
        return output
    }

    /// CRC-32 (the checksum zip and gzip use).
    package static func crc32(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { raw in
            UInt32(CZlib.crc32(0, raw.bindMemory(to: Bytef.self).baseAddress, uInt(raw.count)))
        }
    }
}

/// Bytes of a file that may be gzip-compressed (detected by its `1f 8b` magic), inflated if so.
func gunzipIfNeeded(_ bytes: [UInt8], path: String) throws(DatasetError) -> [UInt8] {
    guard bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B else { return bytes }
    do {
        return try Zlib.inflate(bytes, format: .gzip)
    } catch {
        throw .corruptCompressedData(file: path, detail: "gzip: \(error.description)")
    }
}

/// Reads fixed-width integers and byte runs from a file's bytes, throwing `truncated` past the end.
struct ByteReader {
    let bytes: [UInt8]
    let file: String
    var position = 0

    init(_ bytes: [UInt8], file: String, position: Int = 0) {
        self.bytes = bytes
        self.file = file
        self.position = position
    }

    var remaining: Int { bytes.count - position }

    /// Throws unless `count` more bytes are available from `position`.
    func require(_ count: Int, from start: Int? = nil) throws(DatasetError) {
        let s = start ?? position
        if count < 0 || s + count > bytes.count {
            throw .truncated(file: file, expectedBytes: s + Swift.max(count, 0), actualBytes: bytes.count)
        }
    }

    mutating func bytes(_ count: Int) throws(DatasetError) -> ArraySlice<UInt8> {
        try require(count)
        defer { position += count }
        return bytes[position..<(position + count)]
    }

    mutating func uint8() throws(DatasetError) -> UInt8 {
        try require(1)
        defer { position += 1 }
        return bytes[position]
    }

    /// An unsigned big-endian integer of `width` bytes.
    mutating func bigEndian(_ width: Int) throws(DatasetError) -> UInt64 {
        try require(width)
        var v: UInt64 = 0
        for k in 0..<width { v = v << 8 | UInt64(bytes[position + k]) }
        position += width
        return v
    }

    /// An unsigned little-endian integer of `width` bytes.
    mutating func littleEndian(_ width: Int) throws(DatasetError) -> UInt64 {
        try require(width)
        var v: UInt64 = 0
        for k in stride(from: width - 1, through: 0, by: -1) { v = v << 8 | UInt64(bytes[position + k]) }
        position += width
        return v
    }
}

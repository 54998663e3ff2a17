/// A read-only zip archive in memory: the central directory, and entries inflated on demand.
///
/// Supports stored (method 0) and deflated (method 8) entries and the ZIP64 extensions NumPy writes;
/// every entry's CRC-32 is checked. No encryption, no multi-disk archives.
struct ZipArchive {
    struct Entry {
        var name: String
        var method: UInt16
        var compressedSize: Int
        var size: Int
        var crc: UInt32
        var localHeaderOffset: Int
    }

    let bytes: [UInt8]
    let file: String
    private(set) var entries: [Entry] = []

    init(_ bytes: [UInt8], file: String) throws(DatasetError) {
        self.bytes = bytes
        self.file = file
        guard bytes.count >= 4, bytes[0] == 0x50, bytes[1] == 0x4B else {
            throw .badMagic(file: file, expected: "50 4b (zip)", found: hexPrefix(bytes, 4))
        }
        // The end-of-central-directory record sits in the last 22 + 65535 bytes.
        let eocdSig: [UInt8] = [0x50, 0x4B, 0x05, 0x06]
        var eocd: Int?
        var i = bytes.count - 22
        while i >= Swift.max(0, bytes.count - 22 - 65_535) {
            if Array(bytes[i..<(i + 4)]) == eocdSig { eocd = i; break }
            i -= 1
        }
        guard let eocd else {
            throw .truncated(file: file, expectedBytes: bytes.count + 22, actualBytes: bytes.count)
        }
        var r = ByteReader(bytes, file: file, position: eocd + 10)
        var count = Int(try r.littleEndian(2))
        _ = try r.littleEndian(4)  // central directory size
        var directory = Int(try r.littleEndian(4))
        if count == 0xFFFF || directory == 0xFFFF_FFFF {
            // ZIP64: a locator just before the EOCD points to the ZIP64 end record.
            var loc = ByteReader(bytes, file: file, position: eocd - 20)
            guard eocd >= 20, try loc.littleEndian(4) == 0x0706_4B50 else {
                throw .malformed(file: file, line: nil, detail: "zip64 end-of-directory locator missing")
            }
            _ = try loc.littleEndian(4)
            var z = ByteReader(bytes, file: file, position: Int(try loc.littleEndian(8)))
            guard try z.littleEndian(4) == 0x0606_4B50 else {
                throw .malformed(file: file, line: nil, detail: "zip64 end-of-directory record missing")
            }
            z.position += 28
            count = Int(try z.littleEndian(8))
            z.position += 8
            directory = Int(try z.littleEndian(8))
        }
        r.position = directory
        for _ in 0..<count {
            guard try r.littleEndian(4) == 0x0201_4B50 else {
                throw .malformed(file: file, line: nil, detail: "bad central directory entry at byte \(r.position - 4)")
            }
            r.position += 6
            let method = UInt16(try r.littleEndian(2))
            r.position += 4
            let crc = UInt32(try r.littleEndian(4))
            var compressed = Int(try r.littleEndian(4)), size = Int(try r.littleEndian(4))
            let nameLength = Int(try r.littleEndian(2)), extraLength = Int(try r.littleEndian(2))
            let commentLength = Int(try r.littleEndian(2))
            r.position += 8
            var offset = Int(try r.littleEndian(4))
            let name = String(decoding: try r.bytes(nameLength), as: UTF8.self)
            var extra = ByteReader(Array(try r.bytes(extraLength)), file: file)
            while extra.remaining >= 4 {
                let id = try extra.littleEndian(2), length = Int(try extra.littleEndian(2))
                guard id == 0x0001 else { extra.position += length; continue }
                // ZIP64 extra: only the fields whose 32-bit value is saturated, in this order.
                if size == 0xFFFF_FFFF { size = Int(try extra.littleEndian(8)) }
                if compressed == 0xFFFF_FFFF { compressed = Int(try extra.littleEndian(8)) }
                if offset == 0xFFFF_FFFF { offset = Int(try extra.littleEndian(8)) }
                break
            }
            r.position += commentLength
            entries.append(Entry(name: name, method: method, compressedSize: compressed, size: size, crc: crc,
                                 localHeaderOffset: offset))
        }
    }

    /// The uncompressed bytes of `entry`, checked against its CRC-32.
    func contents(of entry: Entry) throws(DatasetError) -> [UInt8] {
        var r = ByteReader(bytes, file: file, position: entry.localHeaderOffset)
        guard try r.littleEndian(4) == 0x0403_4B50 else {
            throw .malformed(file: file, line: nil, detail: "entry \(entry.name): bad local header")
        }
        r.position += 22
        let skip = Int(try r.littleEndian(2)) + Int(try r.littleEndian(2))
        r.position += skip
        let raw = Array(try r.bytes(entry.compressedSize))
        let data: [UInt8]
        switch entry.method {
        case 0: data = raw
        case 8:
            do { data = try Zlib.inflate(raw, format: .raw, expectedSize: entry.size) } catch {
                throw .corruptCompressedData(file: file, detail: "entry \(entry.name): \(error.description)")
            }
        default:
            throw .unsupported(file: file, detail: "entry \(entry.name): compression method \(entry.method) "
                               + "(only stored and deflated)")
        }
        guard data.count == entry.size, Zlib.crc32(data) == entry.crc else {
            throw .corruptCompressedData(file: file, detail: "entry \(entry.name): size or CRC-32 does not match")
        }
        return data
    }
}

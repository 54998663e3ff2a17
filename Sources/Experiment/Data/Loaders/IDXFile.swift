public import Foundation
public import TensorEngine

/// The IDX format of MNIST and Fashion-MNIST: `00 00 <type> <rank>`, `rank` big-endian 32-bit dimensions, then
/// the values big-endian in row-major order. Files may be gzip-compressed (detected by their magic).
public enum IDXFile {
    /// Reads one IDX file as a float tensor of its own shape (unsigned bytes stay 0…255; no scaling).
    public static func read(_ url: URL) throws(DatasetError) -> Tensor {
        try parse(gunzipIfNeeded(readFileBytes(url), path: url.path), file: url.path)
    }

    /// Parses IDX bytes (already inflated); `file` names the source in errors.
    public static func parse(_ bytes: [UInt8], file: String) throws(DatasetError) -> Tensor {
        var r = ByteReader(bytes, file: file)
        let magic = Array(try r.bytes(4))
        let type = magic[2], rank = Int(magic[3])
        let widths: [UInt8: Int] = [0x08: 1, 0x09: 1, 0x0B: 2, 0x0C: 4, 0x0D: 4, 0x0E: 8]
        guard magic[0] == 0, magic[1] == 0, let width = widths[type], rank >= 1 else {
            throw .badMagic(file: file, expected: "00 00 <type 08/09/0b/0c/0d/0e> <rank ≥ 1>",
                            found: hexPrefix(magic, 4))
        }
        var shape = [Int]()
        for _ in 0..<rank { shape.append(Int(try r.bigEndian(4))) }
        let count = shape.reduce(1, *)
        try r.require(count * width)
        if r.remaining > count * width {
            throw .shapeMismatch(file: file, detail: "header shape \(shape) needs \(count * width) data bytes, "
                                 + "file has \(r.remaining)")
        }
        let start = r.position
        return bytes.withUnsafeBufferPointer { src in
            let p = src.baseAddress! + start
            return Tensor(shape, (0..<count).map { i -> Float in
                let q = p + i * width
                func be(_ w: Int) -> UInt64 { (0..<w).reduce(UInt64(0)) { $0 << 8 | UInt64(q[$1]) } }
                switch type {
                case 0x08: return Float(q[0])
                case 0x09: return Float(Int8(bitPattern: q[0]))
                case 0x0B: return Float(Int16(bitPattern: UInt16(be(2))))
                case 0x0C: return Float(Int32(bitPattern: UInt32(be(4))))
                case 0x0D: return Float(bitPattern: UInt32(be(4)))
                default: return Float(Double(bitPattern: be(8)))
                }
            })
        }
    }
}

/// MNIST and Fashion-MNIST from their four IDX files: images `[N, 1, 28, 28]` and labels `[N]`, 10 classes.
public enum MNIST {
    /// Which dataset the files hold (only the class names differ).
    public enum Variant: String, Sendable, Codable {
        case mnist, fashion

        /// The ten class names.
        public var classNames: [String] {
            switch self {
            case .mnist: (0..<10).map(String.init)
            case .fashion: ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
                            "Bag", "Ankle boot"]
            }
        }
    }

    /// Loads `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte` and
    /// `t10k-labels-idx1-ubyte` from `directory`, each plain or with a `.gz` suffix. `scale` maps pixels to [0, 1].
    public static func load(directory: URL, variant: Variant = .mnist, scale: Bool = true) throws(DatasetError)
        -> LabeledDataset
    {
        func find(_ stem: String) throws(DatasetError) -> URL {
            for name in [stem, stem + ".gz"] {
                let url = directory.appendingPathComponent(name)
                if FileManager.default.fileExists(atPath: url.path) { return url }
            }
            throw .missing(file: directory.appendingPathComponent(stem).path, detail: "neither \(stem) nor \(stem).gz")
        }
        let train = try split(images: find("train-images-idx3-ubyte"), labels: find("train-labels-idx1-ubyte"),
                              scale: scale)
        let test = try split(images: find("t10k-images-idx3-ubyte"), labels: find("t10k-labels-idx1-ubyte"),
                             scale: scale)
        return LabeledDataset(name: variant.rawValue, train: train, test: test, classCount: 10,
                              classNames: variant.classNames)
    }

    /// One split from an images file `[N, H, W]` and a labels file `[N]` with values in 0…9.
    public static func split(images: URL, labels: URL, scale: Bool = true) throws(DatasetError) -> DataSplit {
        var x = try IDXFile.read(images)
        let y = try IDXFile.read(labels)
        guard x.rank == 3 else {
            throw .shapeMismatch(file: images.path, detail: "images must be [N, H, W], found \(x.shape)")
        }
        guard y.rank == 1, y.shape[0] == x.shape[0] else {
            throw .shapeMismatch(file: labels.path, detail: "labels \(y.shape) for \(x.shape[0]) images in "
                                 + images.lastPathComponent)
        }
        if let bad = y.scalars.firstIndex(where: { $0 < 0 || $0 > 9 || $0 != $0.rounded() }) {
            throw .malformed(file: labels.path, line: nil,
                             detail: "label \(y.scalars[bad]) at index \(bad) not in 0…9")
        }
        if scale { x.withUnsafeMutableElements { for i in $0.indices { $0[i] /= 255 } } }
        return DataSplit(inputs: x.reshaped([x.shape[0], 1, x.shape[1], x.shape[2]]), labels: y)
    }
}

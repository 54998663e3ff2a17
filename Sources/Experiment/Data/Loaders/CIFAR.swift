public import Foundation
import TensorEngine

/// CIFAR-10 and CIFAR-100 in their binary-batch format: images `[N, 3, 32, 32]` in [0, 1], labels `[N]`.
///
/// A CIFAR-10 record is one label byte then 3072 pixel bytes (1024 red, 1024 green, 1024 blue, row-major);
/// a CIFAR-100 record has two label bytes, coarse then fine.
public enum CIFAR {
    /// Which dataset, and for CIFAR-100 which labels.
    public enum Variant: Sendable, Codable, Equatable {
        case cifar10
        /// `fine`: the 100 fine labels; otherwise the 20 coarse super-classes.
        case cifar100(fine: Bool)

        /// Label bytes per record.
        public var labelBytes: Int { self == .cifar10 ? 1 : 2 }
        /// Number of classes.
        public var classCount: Int {
            switch self {
            case .cifar10: 10
            case .cifar100(let fine): fine ? 100 : 20
            }
        }
        var labelOffset: Int { self == .cifar100(fine: true) ? 1 : 0 }
        var namesFile: String {
            switch self {
            case .cifar10: "batches.meta.txt"
            case .cifar100(let fine): fine ? "fine_label_names.txt" : "coarse_label_names.txt"
            }
        }
    }

    static let pixels = 3 * 32 * 32

    /// Reads one batch file (a whole number of records).
    public static func readBatch(_ url: URL, variant: Variant) throws(DatasetError) -> DataSplit {
        try parseBatch(readFileBytes(url), file: url.path, variant: variant)
    }

    /// Parses batch bytes; `file` names the source in errors.
    public static func parseBatch(_ bytes: [UInt8], file: String, variant: Variant) throws(DatasetError) -> DataSplit {
        let record = variant.labelBytes + pixels
        guard !bytes.isEmpty else { throw .truncated(file: file, expectedBytes: record, actualBytes: 0) }
        guard bytes.count % record == 0 else {
            let whole = bytes.count / record
            throw .truncated(file: file, expectedBytes: (whole + 1) * record, actualBytes: bytes.count)
        }
        let n = bytes.count / record
        var labels = [Float](repeating: 0, count: n)
        let images = bytes.withUnsafeBufferPointer { src in
            Tensor.make(shape: [n, 3, 32, 32]) { out in
                for i in 0..<n {
                    let base = i * record
                    labels[i] = Float(src[base + variant.labelOffset])
                    for p in 0..<pixels { out[i * pixels + p] = Float(src[base + variant.labelBytes + p]) / 255 }
                }
            }
        }
        if let bad = labels.firstIndex(where: { Int($0) >= variant.classCount }) {
            throw .malformed(file: file, line: nil,
                             detail: "record \(bad) has label \(Int(labels[bad])), expected < \(variant.classCount); "
                             + "is this the right CIFAR variant?")
        }
        return DataSplit(inputs: images, labels: Tensor([n], labels))
    }

    /// Loads a whole dataset from its extracted directory: `data_batch_1.bin`…`data_batch_5.bin` and
    /// `test_batch.bin` for CIFAR-10, `train.bin` and `test.bin` for CIFAR-100. Class names come from
    /// `batches.meta.txt` / `fine_label_names.txt` / `coarse_label_names.txt` when present.
    public static func load(directory: URL, variant: Variant = .cifar10) throws(DatasetError) -> LabeledDataset {
        let trainFiles = variant == .cifar10 ? (1...5).map { "data_batch_\($0).bin" } : ["train.bin"]
        let testFile = variant == .cifar10 ? "test_batch.bin" : "test.bin"
        var parts = [DataSplit]()
        for name in trainFiles { parts.append(try readBatch(directory.appendingPathComponent(name), variant: variant)) }
        let test = try readBatch(directory.appendingPathComponent(testFile), variant: variant)
        let train = DataSplit(inputs: concatenateRows(parts.map(\.inputs)),
                              labels: concatenateRows(parts.map(\.labels)))
        var names: [String]?
        if let text = try? String(contentsOf: directory.appendingPathComponent(variant.namesFile), encoding: .utf8) {
            let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
            if lines.count == variant.classCount { names = lines }
        }
        let name = variant == .cifar10 ? "cifar10" : "cifar100"
        return LabeledDataset(name: name, train: train, test: test, classCount: variant.classCount, classNames: names)
    }
}

/// Stacks tensors with equal trailing shapes along the leading axis (host-side copy).
func concatenateRows(_ parts: [Tensor]) -> Tensor {
    precondition(!parts.isEmpty, "concatenateRows: nothing to concatenate")
    var shape = parts[0].shape
    shape[0] = parts.reduce(0) { $0 + $1.shape[0] }
    return Tensor.make(shape: shape) { out in
        var at = 0
        for p in parts {
            p.withUnsafeElements { src in (out.baseAddress! + at).update(from: src.baseAddress!, count: src.count) }
            at += p.count
        }
    }
}

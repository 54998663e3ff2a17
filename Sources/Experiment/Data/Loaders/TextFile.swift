public import Foundation

/// Plain text read as bytes for byte-level language models.
public enum TextFile {
    /// Reads `url` byte for byte; the last `validationFraction` of the bytes become the validation split.
    public static func load(_ url: URL, validationFraction: Double = 0.1) throws(DatasetError) -> TextDataset {
        let bytes = try readFileBytes(url)
        guard !bytes.isEmpty else { throw .malformed(file: url.path, line: nil, detail: "file is empty") }
        return TextDataset(name: url.deletingPathExtension().lastPathComponent, bytes: bytes,
                           validationFraction: validationFraction)
    }
}

public import Foundation
public import TensorEngine

/// A numeric table read from CSV: feature columns `[N, F]` and optionally a label column as class ids.
public struct CSVTable {
    /// `[N, F]` the numeric columns other than the label.
    public var features: Tensor
    /// `[N]` class ids, when a label column was chosen.
    public var labels: Tensor?
    /// Names of the feature columns (`column0`, `column1`, … without a header).
    public var featureNames: [String]
    /// Number of classes: `max + 1` for integer labels, the number of distinct names for text labels.
    public var classCount: Int
    /// For text labels, the class names sorted; class id `k` is `classNames[k]`. Nil for integer labels.
    public var classNames: [String]?

    /// The whole table as one split (requires a label column).
    public var split: DataSplit? { labels.map { DataSplit(inputs: features, labels: $0) } }
}

/// Reads comma- (or otherwise) separated numeric tables.
///
/// Empty lines are skipped, fields may be double-quoted, and every non-label field must parse as a number.
/// Labels may be non-negative integers (used as class ids) or any text (mapped to ids in sorted order).
public enum CSVFile {
    /// Which column holds the class label.
    public enum LabelColumn: Sendable, Codable, Equatable {
        /// By header name (requires a header).
        case name(String)
        /// By zero-based index; negative counts from the end (`-1` is the last column).
        case index(Int)
    }

    /// Whether the first line is a header.
    public enum Header: String, Sendable, Codable, Equatable {
        case present, absent
        /// A header if the first line has a field that is not a number.
        case automatic
    }

    /// Reads `url`; `label` nil reads every column as a feature.
    public static func read(_ url: URL, label: LabelColumn? = nil, header: Header = .automatic,
                            delimiter: Character = ",") throws(DatasetError) -> CSVTable {
        let bytes = try readFileBytes(url)
        return try parse(String(decoding: bytes, as: UTF8.self), file: url.path, label: label, header: header,
                         delimiter: delimiter)
    }

    /// Parses CSV text; `file` names the source in errors.
    public static func parse(_ text: String, file: String, label: LabelColumn? = nil, header: Header = .automatic,
                             delimiter: Character = ",") throws(DatasetError) -> CSVTable {
        var rows = [(line: Int, fields: [String])]()
        for (k, line) in textLines(text).enumerated() where !line.allSatisfy(\.isWhitespace) {
            rows.append((k + 1, splitFields(line, delimiter)))
        }
        guard let first = rows.first else { throw .malformed(file: file, line: nil, detail: "no rows") }
        let hasHeader = switch header {
        case .present: true
        case .absent: false
        case .automatic: first.fields.contains { Float($0.trimmingCharacters(in: .whitespaces)) == nil }
        }
        let width = first.fields.count
        let names = hasHeader ? first.fields.map { $0.trimmingCharacters(in: .whitespaces) }
            : (0..<width).map { "column\($0)" }
        if hasHeader { rows.removeFirst() }

        var labelIndex: Int?
        switch label {
        case nil: break
        case .name(let n):
            guard hasHeader, let i = names.firstIndex(of: n) else {
                throw .missing(file: file, detail: "no label column named '\(n)' in header \(names)")
            }
            labelIndex = i
        case .index(let i):
            let j = i < 0 ? width + i : i
            guard j >= 0 && j < width else {
                throw .missing(file: file, detail: "label column \(i) outside the \(width) columns")
            }
            labelIndex = j
        }

        var values = [Float]()
        values.reserveCapacity(rows.count * width)
        var rawLabels = [String]()
        for row in rows {
            guard row.fields.count == width else {
                throw .malformed(file: file, line: row.line,
                                 detail: "\(row.fields.count) fields, expected \(width) like the first row")
            }
            for (j, field) in row.fields.enumerated() {
                let f = field.trimmingCharacters(in: .whitespaces)
                if j == labelIndex { rawLabels.append(f); continue }
                guard let v = Float(f) else {
                    throw .malformed(file: file, line: row.line, detail: "column '\(names[j])': '\(f)' is not a number")
                }
                values.append(v)
            }
        }
        let featureNames = names.enumerated().filter { $0.offset != labelIndex }.map(\.element)
        let features = Tensor([rows.count, featureNames.count], values)
        guard labelIndex != nil else {
            return CSVTable(features: features, labels: nil, featureNames: featureNames, classCount: 0, classNames: nil)
        }
        let ints = rawLabels.map { Int($0) }
        if ints.allSatisfy({ ($0 ?? -1) >= 0 }) {
            let ids = ints.map { $0! }
            return CSVTable(features: features, labels: labelTensor(ids), featureNames: featureNames,
                            classCount: (ids.max() ?? -1) + 1, classNames: nil)
        }
        let classes = Array(Set(rawLabels)).sorted()
        let id = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        return CSVTable(features: features, labels: labelTensor(rawLabels.map { id[$0]! }),
                        featureNames: featureNames, classCount: classes.count, classNames: classes)
    }

    /// Splits one line into fields, honouring double quotes (`""` inside quotes is a literal quote).
    static func splitFields(_ line: Substring, _ delimiter: Character) -> [String] {
        var fields = [String](), current = "", quoted = false
        var chars = line.makeIterator()
        while let ch = chars.next() {
            if quoted {
                if ch == "\"" {
                    if let next = chars.next() {
                        if next == "\"" { current.append("\"") } else {
                            quoted = false
                            if next == delimiter { fields.append(current); current = "" } else { current.append(next) }
                        }
                    } else { quoted = false }
                } else { current.append(ch) }
            } else if ch == "\"" && current.allSatisfy(\.isWhitespace) {
                quoted = true
                current = ""
            } else if ch == delimiter {
                fields.append(current)
                current = ""
            } else { current.append(ch) }
        }
        fields.append(current)
        return fields
    }
}

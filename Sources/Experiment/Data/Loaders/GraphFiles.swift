public import Foundation
public import TensorEngine

/// A node-classification graph from three text files a user has.
///
/// - edges: one edge per line, `source destination` separated by whitespace or a comma, zero-based node ids;
///   lines starting with `#` or `%` are comments.
/// - features: one row of numbers per node (whitespace or comma separated), all rows the same width.
/// - labels: one integer class id per line, one line per node.
///
/// Train/validation/test masks are drawn per class (stratified) from the generator.
public enum GraphFiles {
    /// Loads and checks the three files; `symmetrize` adds reverse edges and drops duplicates and self-loops.
    public static func load(
        edges: URL, features: URL, labels: URL, trainFraction: Double = 0.6, validationFraction: Double = 0.2,
        symmetrize: Bool = true, using rng: inout RandomGenerator
    ) throws(DatasetError) -> GraphDataset {
        precondition(trainFraction >= 0 && validationFraction >= 0 && trainFraction + validationFraction <= 1,
                     "GraphFiles: fractions \(trainFraction) + \(validationFraction) exceed 1")
        let rows = try numberRows(features)
        guard let width = rows.first?.values.count, width > 0 else {
            throw .malformed(file: features.path, line: nil, detail: "no feature rows")
        }
        if let bad = rows.first(where: { $0.values.count != width }) {
            throw .malformed(file: features.path, line: bad.line,
                             detail: "\(bad.values.count) values, expected \(width)")
        }
        let n = rows.count
        var ids = [Int]()
        for row in try numberRows(labels) {
            guard row.values.count == 1, let v = row.values.first, v >= 0, v == v.rounded() else {
                throw .malformed(file: labels.path, line: row.line, detail: "expected one non-negative integer label")
            }
            ids.append(Int(v))
        }
        guard ids.count == n else {
            throw .shapeMismatch(file: labels.path, detail: "\(ids.count) labels for \(n) nodes in "
                                 + features.lastPathComponent)
        }
        var src = [Int32](), dst = [Int32]()
        for row in try numberRows(edges) {
            guard row.values.count >= 2 else {
                throw .malformed(file: edges.path, line: row.line, detail: "expected 'source destination'")
            }
            for v in row.values.prefix(2) where v < 0 || v >= Float(n) || v != v.rounded() {
                throw .shapeMismatch(file: edges.path, detail: "line \(row.line): node \(v) outside 0..<\(n) "
                                     + "(\(features.lastPathComponent) has \(n) rows)")
            }
            src.append(Int32(row.values[0]))
            dst.append(Int32(row.values[1]))
        }
        var list = EdgeList(nodeCount: n, source: src, destination: dst)
        if symmetrize { list = list.symmetrized() }
        let classCount = (ids.max() ?? -1) + 1
        let masks = stratifiedMasks(classes: ids, classCount: classCount, trainFraction: trainFraction,
                                    validationFraction: validationFraction, using: &rng)
        return GraphDataset(
            name: features.deletingPathExtension().lastPathComponent,
            features: Tensor([n, width], rows.flatMap(\.values)),
            labels: labelTensor(ids), edges: list, trainMask: masks.train, validationMask: masks.validation,
            testMask: masks.test, classCount: classCount)
    }

    /// Non-empty, non-comment lines of a file parsed as numbers.
    static func numberRows(_ url: URL) throws(DatasetError) -> [(line: Int, values: [Float])] {
        let text = String(decoding: try readFileBytes(url), as: UTF8.self)
        var rows = [(line: Int, values: [Float])]()
        for (k, line) in textLines(text).enumerated() {
            let fields = line.split { $0 == "," || $0 == " " || $0 == "\t" }
            if fields.isEmpty || line.first == "#" || line.first == "%" { continue }
            var values = [Float]()
            for f in fields {
                guard let v = Float(f) else {
                    throw .malformed(file: url.path, line: k + 1, detail: "'\(f)' is not a number")
                }
                values.append(v)
            }
            rows.append((k + 1, values))
        }
        return rows
    }
}

/// Per class, shuffles the nodes and puts `trainFraction` (at least one) in train, `validationFraction` in
/// validation and the rest in test.
func stratifiedMasks(classes ids: [Int], classCount: Int, trainFraction: Double, validationFraction: Double,
                     using rng: inout RandomGenerator) -> (train: [Bool], validation: [Bool], test: [Bool]) {
    var members = [[Int]](repeating: [], count: classCount)
    for (i, c) in ids.enumerated() { members[c].append(i) }
    var train = [Bool](repeating: false, count: ids.count), validation = train, test = train
    for group in members where !group.isEmpty {
        let order = rng.permutation(group.count).map { group[$0] }
        let nTrain = Swift.max(1, Int((Double(order.count) * trainFraction).rounded()))
        let nVal = Swift.min(order.count - nTrain, Int((Double(order.count) * validationFraction).rounded()))
        for (k, i) in order.enumerated() {
            if k < nTrain { train[i] = true } else if k < nTrain + nVal { validation[i] = true } else { test[i] = true }
        }
    }
    return (train, validation, test)
}

/// Lines of `text`, splitting on `\n` and `\r\n` (which Swift treats as one character).
func textLines(_ text: String) -> [Substring] {
    text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
}

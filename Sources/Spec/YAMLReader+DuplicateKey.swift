import Yams

extension YAMLReader {
    /// Where `key`, reported by Yams at its first occurrence `first`, is written again.
    ///
    /// Why: Yams names the first occurrence of a repeated key, but the first is usually the line to keep and
    /// the repeat the mistake. Yams gives no other position, so the first occurrence is renamed in a copy of
    /// the text and the copy composed again: the renamed key's mapping then holds the repeat at its own
    /// position, or, for a key written three times, Yams names the second. Nil when the copy does not tell
    /// (the renaming broke the text, or another mapping repeats a key too).
    func repeatLocation(of key: String, firstAt first: Mark, in text: String) -> SourceLocation? {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.unicodeScalars) }
        guard lines.indices.contains(first.line - 1) else { return nil }
        var column = first.column - 1
        if lines[first.line - 1].indices.contains(column), ["\"", "'"].contains(lines[first.line - 1][column]) {
            column += 1
        }
        guard lines[first.line - 1].indices.contains(column) else { return nil }
        lines[first.line - 1][column] = Self.renamedMarker
        var copy = String.UnicodeScalarView()
        for (i, line) in lines.enumerated() {
            if i > 0 { copy.append("\n") }
            copy.append(contentsOf: line)
        }
        do {
            guard let root = try Yams.compose(yaml: String(copy)) else { return nil }
            var budget = maxNodes
            return Self.keyBesideRenamed(key, in: root, budget: &budget)
        } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) where duplicates == [key] {
            return SourceLocation(line: context.mark.line, column: context.mark.column)
        } catch {
            return nil
        }
    }

    /// A private-use character: no spec key contains it, so the renamed key cannot clash with another.
    private static let renamedMarker: Unicode.Scalar = "\u{E000}"

    /// The position of `key` in the mapping that holds the renamed key, searched under a node budget: the
    /// composed tree shares aliased nodes, and walking it expands them.
    private static func keyBesideRenamed(_ key: String, in node: Node, budget: inout Int) -> SourceLocation? {
        budget -= 1
        guard budget >= 0 else { return nil }
        switch node {
        case .scalar, .alias: return nil
        case .sequence(let sequence):
            for item in sequence {
                if let found = keyBesideRenamed(key, in: item, budget: &budget) { return found }
            }
        case .mapping(let mapping):
            if mapping.keys.contains(where: { $0.string?.unicodeScalars.contains(renamedMarker) == true }) {
                let mark = mapping.keys.first { $0.string == key }?.mark
                return mark.map { SourceLocation(line: $0.line, column: $0.column) }
            }
            for (_, value) in mapping {
                if let found = keyBesideRenamed(key, in: value, budget: &budget) { return found }
            }
        }
        return nil
    }
}

import Foundation
import PluginAPI
import Yams

/// Reads a spec file into a ``SourceNode`` tree under hard limits, before anything interprets it.
///
/// The order matters for safety: the size is checked before the file is read, aliased keys are
/// refused (see ``AliasKeyScanner``), the text is composed by Yams (which shares aliased nodes, so
/// composing a "billion laughs" document is cheap), and the tree is then copied out under a node
/// budget that counts every alias expansion. Nothing walks the expanded document before the budget
/// has accepted it.
struct YAMLReader {
    var maxBytes: Int
    var maxNodes: Int
    var file: String

    func read(_ url: URL) throws(SpecError) -> SourceNode {
        let attributes: [FileAttributeKey: Any]
        do { attributes = try FileManager.default.attributesOfItem(atPath: url.path) } catch {
            throw fail(.unreadable, "cannot read the spec: no such file or not accessible")
        }
        guard attributes[.type] as? FileAttributeType == .typeRegular else {
            throw fail(.unreadable, "the spec is not a regular file")
        }
        if let size = (attributes[.size] as? NSNumber)?.intValue, size > maxBytes { throw tooLarge(size) }
        // Read at most one byte past the limit: the file may have grown since it was measured.
        let data: Data
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            data = try handle.read(upToCount: maxBytes + 1) ?? Data()
        } catch {
            throw fail(.unreadable, "cannot read the spec: \(error.localizedDescription)")
        }
        if data.count > maxBytes { throw tooLarge(data.count) }
        guard let text = String(data: data, encoding: .utf8) else {
            throw fail(.unreadable, "the spec is not valid UTF-8")
        }
        return try parse(text)
    }

    func parse(_ text: String) throws(SpecError) -> SourceNode {
        if text.utf8.count > maxBytes { throw tooLarge(text.utf8.count) }
        if let at = AliasKeyScanner.firstAliasKey(in: text) {
            let message = "an alias cannot be a mapping key: comparing keys would expand it; write the key out"
            throw SpecError(file: file, problems: [SpecProblem(.aliasBudget, file: file, at: at, message)])
        }
        let composed: Node?
        do { composed = try Yams.compose(yaml: text) } catch let error as YamlError {
            throw SpecError(file: file, problems: [syntaxProblem(error, text: text)])
        } catch {
            throw fail(.syntax, "\(error)")
        }
        guard let composed else { return SourceNode(content: .mapping([]), location: .start) }
        var countBudget = maxNodes
        var copyBudget = maxNodes
        var problems: [SpecProblem] = []
        guard Self.count(composed, within: &countBudget),
            let root = convert(composed, budget: &copyBudget, problems: &problems)
        else {
            let message = "aliases expand the document past \(maxNodes) nodes; refusing to read it"
            throw SpecError(file: file, problems: [SpecProblem(.aliasBudget, file: file, at: .start, message)])
        }
        if !problems.isEmpty { throw SpecError(file: file, problems: problems) }
        return root
    }

    private func fail(_ kind: SpecProblem.Kind, _ message: String) -> SpecError {
        SpecError(
            file: file, problems: [SpecProblem(kind, file: file, at: SourceLocation(line: 0, column: 0), message)])
    }

    private func tooLarge(_ size: Int) -> SpecError {
        fail(.tooLarge, "the spec is \(size) bytes, over the \(maxBytes)-byte limit (\(maxBytes / 1024) KiB)")
    }

    /// Counts nodes (aliases included: Yams has already replaced each alias by the node it names)
    /// until `budget` runs out. A bare count allocates nothing, so an oversized document is refused
    /// in a few milliseconds, before anything is copied.
    private static func count(_ node: Node, within budget: inout Int) -> Bool {
        budget -= 1
        if budget < 0 { return false }
        switch node {
        case .scalar, .alias: return true
        case .sequence(let sequence):
            for item in sequence where !count(item, within: &budget) { return false }
        case .mapping(let mapping):
            for (key, value) in mapping where !count(key, within: &budget) || !count(value, within: &budget) {
                return false
            }
        }
        return true
    }

    /// Copies `node` out of Yams, spending one unit of `budget` per node visited. Nil once the budget
    /// is spent, which `count` has already ruled out; the check stays as a second line of defence.
    private func convert(_ node: Node, budget: inout Int, problems: inout [SpecProblem]) -> SourceNode? {
        budget -= 1
        guard budget >= 0 else { return nil }
        let location = node.mark.map { SourceLocation(line: $0.line, column: $0.column) } ?? .start
        switch node {
        case .scalar(let scalar):
            let value: ConfigValue =
                // `scalar.tag` is the tag as written (empty when implicit); `Node.tag` would resolve it.
                switch (scalar.tag.rawValue, scalar.style) {
                case (Tag.Name.str.rawValue, _): .string(scalar.string)
                case (_, .plain), (_, .any): typedScalar(scalar.string)
                default: .string(scalar.string)
                }
            return SourceNode(content: .scalar(value), location: location)
        case .sequence(let sequence):
            var items: [SourceNode] = []
            for item in sequence {
                guard let converted = convert(item, budget: &budget, problems: &problems) else { return nil }
                items.append(converted)
            }
            return SourceNode(content: .sequence(items), location: location)
        case .mapping(let mapping):
            var entries: [SourceNode.Entry] = []
            var merged: [SourceNode.Entry] = []
            for (key, value) in mapping {
                guard let convertedValue = convert(value, budget: &budget, problems: &problems) else { return nil }
                let keyLocation = key.mark.map { SourceLocation(line: $0.line, column: $0.column) } ?? location
                guard case .scalar(let keyScalar) = key else {
                    problems.append(
                        SpecProblem(.syntax, file: file, at: keyLocation, "mapping keys must be plain text"))
                    continue
                }
                if keyScalar.string == "<<" && keyScalar.style != .singleQuoted && keyScalar.style != .doubleQuoted {
                    merged += mergeEntries(convertedValue, problems: &problems)
                } else {
                    entries.append(
                        SourceNode.Entry(key: keyScalar.string, keyLocation: keyLocation, value: convertedValue))
                }
            }
            // YAML merge keys (`<<: *defaults`): keys written out in the mapping win over merged ones.
            let own = Set(entries.map(\.key))
            var seen = Set<String>()
            for entry in merged where !own.contains(entry.key) && seen.insert(entry.key).inserted {
                entries.append(entry)
            }
            return SourceNode(content: .mapping(entries), location: location)
        case .alias:
            // Yams resolves aliases while composing; an unresolved one is an undefined anchor.
            problems.append(SpecProblem(.syntax, file: file, at: location, "alias to an undefined anchor"))
            return SourceNode(content: .scalar(.null), location: location)
        }
    }

    private func mergeEntries(_ node: SourceNode, problems: inout [SpecProblem]) -> [SourceNode.Entry] {
        switch node.content {
        case .mapping(let entries): return entries
        case .sequence(let items): return items.flatMap { mergeEntries($0, problems: &problems) }
        case .scalar:
            problems.append(
                SpecProblem(.syntax, file: file, at: node.location, "'<<' must merge a mapping or a list of mappings"))
            return []
        }
    }

    /// A syntax problem at libyaml's position, with libyaml's wording and context.
    private func syntaxProblem(_ error: YamlError, text: String) -> SpecProblem {
        func at(_ mark: Mark) -> SourceLocation { SourceLocation(line: mark.line, column: mark.column) }
        func phrase(_ problem: String, _ context: YamlError.Context?) -> String {
            guard let context else { return problem }
            return "\(problem) (\(context.text) at \(context.mark.line):\(context.mark.column))"
        }
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            return SpecProblem(.syntax, file: file, at: at(mark), "syntax error: " + phrase(problem, context))
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            let repeated =
                duplicates.count == 1 ? repeatLocation(of: duplicates[0], firstAt: context.mark, in: text) : nil
            return SpecProblem(
                .syntax, file: file, at: repeated ?? at(context.mark), "duplicate key \(keys) in one mapping")
        case .reader(let problem, let offset, _, _):
            var location = SourceLocation(line: 0, column: 0)
            if let offset {
                let prefix = text.prefix(offset)
                let line = prefix.reduce(into: 1) { n, c in if c.isNewline { n += 1 } }
                let column =
                    prefix.count
                    - (prefix.lastIndex(where: \.isNewline).map { prefix.distance(from: prefix.startIndex, to: $0) + 1 }
                        ?? 0) + 1
                location = SourceLocation(line: line, column: column)
            }
            return SpecProblem(.syntax, file: file, at: location, "cannot read the text: \(problem)")
        default:
            return SpecProblem(.syntax, file: file, at: SourceLocation(line: 0, column: 0), "\(error)")
        }
    }
}

import Foundation

extension PluginDescriptor {
    /// What `kiln plugins ID` prints: a header, then each key with its type, default, range and doc.
    ///
    /// ```
    /// optim.adamw 1.0.0 (optimizer, optimizer.plugin) — Adam with decoupled weight decay
    ///
    ///   lr            number    0.001       > 0
    ///       Peak learning rate; the schedule scales it.
    /// ```
    public var detailText: String {
        var lines = ["\(id) \(version) (\(kind), \(kind.specSlot)) — \(summary)"]
        if fields.isEmpty { return lines[0] + "\n\n  (no configuration)\n" }
        lines.append("")
        let rows = fields.map { field -> [String] in
            let value = field.isRequired ? "(required)" : field.defaultValue.description
            return [field.key, field.typeText, value, field.rangeText ?? ""]
        }
        let widths = (0..<3).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for (field, row) in zip(fields, rows) {
            let padded = (0..<3).map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
            lines.append(("  " + padded.joined(separator: "  ") + "  " + row[3]).trimmingTrailingSpaces())
            lines.append("      " + field.doc)
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension PluginRegistry {
    /// What `kiln plugins` prints: plugins grouped by kind, one line each.
    public var listingText: String {
        var lines: [String] = []
        for kind in PluginKind.allCases {
            let plugins = plugins(of: kind)
            guard !plugins.isEmpty else { continue }
            if !lines.isEmpty { lines.append("") }
            lines.append("\(kind) (\(kind.specSlot))")
            let width = plugins.map { "\($0.id) \($0.version)".count }.max() ?? 0
            for p in plugins {
                lines.append(
                    "  " + "\(p.id) \(p.version)".padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                        + p.summary)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}

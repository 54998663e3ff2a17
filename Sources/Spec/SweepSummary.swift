public import Foundation
import PluginAPI

/// The parent's table of a sweep: one row per child, its state, its swept values, then its final metrics.
public struct SweepSummary: Sendable, Equatable {
    /// Column headers: `run`, `state`, each swept key, then every metric name (sorted).
    public var columns: [String]
    /// One row per child, cells as text; a metric a child did not report is empty.
    public var rows: [[String]]

    /// The table as CSV (RFC 4180 quoting).
    public var csv: String {
        ([columns] + rows).map { $0.map(Self.csvField).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    /// The table as a Markdown pipe table; missing metrics show as `—`.
    public var markdown: String {
        func line(_ cells: [String]) -> String { "| " + cells.map(Self.markdownCell).joined(separator: " | ") + " |" }
        let body = rows.map { line($0.map { $0.isEmpty ? "—" : $0 }) }
        return ([line(columns), line(columns.map { _ in "---" })] + body).joined(separator: "\n") + "\n"
    }

    private static func csvField(_ s: String) -> String {
        s.contains(where: { ",\"\n\r".contains($0) }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    private static func markdownCell(_ s: String) -> String {
        s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}

extension SweepPlan {
    /// The summary for the children's final metrics and states, both keyed by child label (``SweepChild/label``).
    /// Children missing from `finalMetrics` (failed or not run) get a row with empty metrics; the state column
    /// says why (`failed:non_finite_loss`), and reads `not started` for a child missing from `states`.
    public func summary(finalMetrics: [String: [String: Double]], states: [String: String]) -> SweepSummary {
        let keys = axes.map(\.path)
        let lastKeys = keys.map { $0.lastKey ?? $0.description }
        let metricNames = Set(finalMetrics.values.flatMap(\.keys)).sorted()
        // A swept key is named by its last component unless that names another column too (two axes ending in
        // `lr`, a stage's `sparsity` that is also a metric): then by its whole path, so no header repeats.
        let taken = Set(metricNames + ["run", "state"])
        let keyColumns = keys.indices.map { i in
            lastKeys.filter { $0 == lastKeys[i] }.count > 1 || taken.contains(lastKeys[i])
                ? keys[i].description : lastKeys[i]
        }
        let rows = children.map { child -> [String] in
            let values = keys.map { key in child.assignments.first { $0.path == key }.map { "\($0.value)" } ?? "" }
            let metrics = finalMetrics[child.label] ?? [:]
            let state = states[child.label] ?? "not started"
            return [child.label, state] + values + metricNames.map { metrics[$0].map { "\($0)" } ?? "" }
        }
        return SweepSummary(columns: ["run", "state"] + keyColumns + metricNames, rows: rows)
    }

    /// Writes `summary.csv` and `summary.md` into `directory` (normally ``directory`` beside the spec),
    /// each by temporary file and rename, and returns their URLs.
    @discardableResult
    public func writeSummary(
        finalMetrics: [String: [String: Double]], states: [String: String], in directory: URL
    ) throws -> [URL] {
        let table = summary(finalMetrics: finalMetrics, states: states)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let csv = directory.appendingPathComponent("summary.csv")
        let markdown = directory.appendingPathComponent("summary.md")
        try Data(table.csv.utf8).write(to: csv, options: .atomic)
        try Data(("# Sweep \(name)\n\n" + table.markdown).utf8).write(to: markdown, options: .atomic)
        return [csv, markdown]
    }
}

public import Foundation
import PluginAPI

/// One logged record: a step and named scalar metrics.
public struct MetricRecord: Sendable, Equatable {
    /// Steps completed when the values were taken.
    public var step: Int
    /// Metric values by name (`loss`, `test.accuracy`).
    public var values: [String: Double]
    /// A record of `values` at `step`.
    public init(step: Int, values: [String: Double]) {
        self.step = step
        self.values = values
    }
}

/// `metrics.jsonl` (one JSON object per logged step, appended and flushed line by line so it can be tailed) and
/// `metrics.csv` (a column per metric; rewritten atomically when a new metric appears, else appended).
public final class MetricsLog {
    /// `metrics.jsonl`.
    public let jsonlURL: URL
    /// `metrics.csv`.
    public let csvURL: URL
    /// Every record, oldest first (those kept from before a resume included).
    public private(set) var records: [MetricRecord] = []
    private var columns: [String] = []
    private var jsonl: FileHandle?
    private var csv: FileHandle?

    /// Opens the logs in `folder`. When resuming from `resumeStep`, records after it are dropped (the resumed run
    /// logs them again), so the files end up as an uninterrupted run's would.
    public init(folder: URL, resumeStep: Int? = nil) throws {
        jsonlURL = folder.appendingPathComponent("metrics.jsonl")
        csvURL = folder.appendingPathComponent("metrics.csv")
        if let resumeStep, resumeStep > 0, let text = try? String(contentsOf: jsonlURL, encoding: .utf8) {
            records = text.split(separator: "\n").compactMap(Self.parse).filter { $0.step <= resumeStep }
        }
        columns = Array(Set(records.flatMap { $0.values.keys })).sorted()
        try rewrite()
    }

    deinit {
        try? jsonl?.close()
        try? csv?.close()
    }

    /// Appends one record to both files.
    public func log(_ record: MetricRecord) throws {
        records.append(record)
        let line = Self.jsonLine(record) + "\n"
        try jsonl?.write(contentsOf: Data(line.utf8))
        let newColumns = Set(record.values.keys).subtracting(columns)
        if newColumns.isEmpty {
            try csv?.write(contentsOf: Data((csvRow(record) + "\n").utf8))
        } else {
            columns = (columns + newColumns).sorted()
            try rewrite()
        }
    }

    /// The series of one metric, for plots.
    public func series(_ name: String) -> [(x: Double, y: Double)] {
        records.compactMap { r in r.values[name].map { (Double(r.step), $0) } }
    }

    /// Every metric name seen, sorted.
    public var metricNames: [String] { columns }

    /// The latest value of every metric.
    public var latestValues: [String: Double] {
        var latest: [String: Double] = [:]
        for record in records { latest.merge(record.values) { $1 } }
        return latest
    }

    private func rewrite() throws {
        try? jsonl?.close()
        try? csv?.close()
        let lines = records.map(Self.jsonLine).joined(separator: "\n")
        try AtomicFile.write(Data((lines.isEmpty ? "" : lines + "\n").utf8), to: jsonlURL)
        let rows = ([(["step"] + columns).joined(separator: ",")] + records.map(csvRow)).joined(separator: "\n") + "\n"
        try AtomicFile.write(Data(rows.utf8), to: csvURL)
        jsonl = try FileHandle(forWritingTo: jsonlURL)
        try jsonl?.seekToEnd()
        csv = try FileHandle(forWritingTo: csvURL)
        try csv?.seekToEnd()
    }

    private func csvRow(_ r: MetricRecord) -> String {
        ([String(r.step)] + columns.map { r.values[$0].map(Self.number) ?? "" }).joined(separator: ",")
    }

    static func number(_ v: Double) -> String {
        v.isFinite ? String(format: "%.9g", v) : (v.isNaN ? "NaN" : (v > 0 ? "Infinity" : "-Infinity"))
    }

    static func jsonLine(_ r: MetricRecord) -> String {
        // Keys sorted for stable files; non-finite values as strings, since JSON has no NaN.
        let fields = r.values.keys.sorted().map { k -> String in
            let v = r.values[k]!
            return "\"\(k)\":" + (v.isFinite ? number(v) : "\"\(number(v))\"")
        }
        return "{" + (["\"step\":\(r.step)"] + fields).joined(separator: ",") + "}"
    }

    static func parse(_ line: Substring) -> MetricRecord? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            let step = object["step"] as? Int
        else { return nil }
        var values: [String: Double] = [:]
        for (k, v) in object where k != "step" {
            if let d = v as? Double { values[k] = d } else if let s = v as? String, let d = Double(s) { values[k] = d }
        }
        return MetricRecord(step: step, values: values)
    }
}

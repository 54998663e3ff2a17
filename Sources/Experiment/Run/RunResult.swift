public import Foundation
public import PluginAPI

/// What a finished run reports in `result.json`: its final metrics, each evaluator's details and, for a stage
/// chain, what each stage ended with.
public struct RunResult: Sendable, Equatable {
    /// One stage of a chain.
    public struct Stage: Sendable, Equatable, Codable {
        /// The stage's name.
        public var name: String
        /// Its plugin's id.
        public var plugin: String
        /// Its final metrics.
        public var metrics: [String: Double]
    }

    /// The run's name.
    public var name: String
    /// Steps trained in total.
    public var steps: Int
    /// The final value of every metric (for a chain, the last stage's, plus `<stage>.<metric>` for every stage).
    public var finalMetrics: [String: Double]
    /// Evaluator details by evaluator id (a confusion matrix).
    public var details: [String: ConfigObject]
    /// The chain's stages in order; empty for a run with `train:`.
    public var stages: [Stage]

    /// The metrics worth one line: the run's own (not `<stage>.…` copies), without per-class entries.
    public var headlineMetrics: [String: Double] {
        let prefixes = stages.map { "\($0.name)." }
        return finalMetrics.filter { entry in
            !prefixes.contains { entry.key.hasPrefix($0) } && PlotWriter.split(entry.key).member == nil
        }
    }

    /// The JSON written to `result.json`, with the attempt's start and end.
    func json(state: String, startedAt: Date, endedAt: Date) -> String {
        func metrics(_ m: [String: Double]) -> ConfigValue {
            .object(ConfigObject(m.sorted { $0.key < $1.key }.map { ($0.key, .double($0.value)) }))
        }
        var o = ConfigObject()
        o["name"] = .string(name)
        o["state"] = .string(state)
        o["steps"] = .int(steps)
        o["final_metrics"] = metrics(finalMetrics)
        o["evaluations"] = .object(ConfigObject(details.sorted { $0.key < $1.key }.map { ($0.key, .object($0.value)) }))
        if !stages.isEmpty {
            o["stages"] = .array(
                stages.map { ["name": .string($0.name), "plugin": .string($0.plugin), "metrics": metrics($0.metrics)] })
        }
        o["started_at"] = .string(RunLogSink.timestamp(startedAt))
        o["ended_at"] = .string(RunLogSink.timestamp(endedAt))
        return ConfigValue.object(o).jsonText() + "\n"
    }

    /// The final metrics recorded in a `result.json`, or nil when the file is missing or unreadable.
    public static func finalMetrics(in file: URL) -> [String: Double]? {
        guard let data = try? Data(contentsOf: file),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let metrics = object["final_metrics"] as? [String: Any]
        else { return nil }
        var out: [String: Double] = [:]
        for (k, v) in metrics {
            if let d = v as? Double { out[k] = d } else if let n = v as? NSNumber { out[k] = n.doubleValue }
        }
        return out
    }
}

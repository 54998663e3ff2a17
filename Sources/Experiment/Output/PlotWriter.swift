import Foundation
import PluginAPI

/// Writes `plots/<metric>.svg` for the loss and every metric in a ``MetricsLog``.
///
/// Metrics that differ only in a trailing number (`test.class_accuracy.0`, `.1`, …) share one chart with a line
/// per number, so a 100-class dataset gives one per-class chart, not a hundred.
enum PlotWriter {
    /// Renders every chart into `folder` (created if needed); returns the files written.
    @discardableResult
    static func write(_ log: MetricsLog, to folder: URL, seriesNames: [String]? = nil) throws -> [URL] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var groups: [String: [(label: String, metric: String)]] = [:]
        for name in log.metricNames {
            let (group, member) = split(name)
            groups[group, default: []].append((member.map { label($0, names: seriesNames) } ?? name, name))
        }
        var written: [URL] = []
        for (group, members) in groups.sorted(by: { $0.key < $1.key }) {
            let ordered = members.sorted { numericKey($0.metric) < numericKey($1.metric) }
            let series = ordered.map { SVGPlot.Series(label: $0.label, points: log.series($0.metric)) }
            let values = series.flatMap { $0.points.map(\.y) }
            let plot = SVGPlot(
                title: group, yLabel: group, series: series, logY: prefersLogScale(group, values: values))
            let url = folder.appendingPathComponent(fileName(group))
            try AtomicFile.write(Data(plot.render().utf8), to: url)
            written.append(url)
        }
        return written
    }

    /// Whether a chart of `name` reads better on a log axis: loss curves span decades (a log axis shows the late
    /// progress a linear one flattens), and gradient-norm spikes are orders of magnitude above the rest.
    static func prefersLogScale(_ name: String, values: [Double]) -> Bool {
        (name.hasSuffix("loss") || name.hasSuffix("grad_norm")) && !values.isEmpty && values.allSatisfy { $0 > 0 }
    }

    /// `test.class_accuracy.3` → (`test.class_accuracy`, 3); other names are their own group.
    static func split(_ name: String) -> (group: String, member: Int?) {
        guard let dot = name.lastIndex(of: "."), let n = Int(name[name.index(after: dot)...]) else {
            return (name, nil)
        }
        return (String(name[..<dot]), n)
    }

    private static func label(_ member: Int, names: [String]?) -> String {
        guard let names, names.indices.contains(member) else { return "class \(member)" }
        return names[member]
    }

    private static func numericKey(_ name: String) -> Int { split(name).member ?? -1 }

    /// Safe file names: letters, digits, dot, dash and underscore.
    static func fileName(_ group: String) -> String {
        String(group.map { $0.isLetter || $0.isNumber || "._-".contains($0) ? $0 : "_" }) + ".svg"
    }
}

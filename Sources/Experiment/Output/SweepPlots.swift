import Foundation
import PluginAPI

/// A sweep's comparison charts: for every metric its children logged, one chart with a line per child
/// (`NAME.sweep/plots/loss.svg`, `train.grad_norm.svg`, `test.perplexity.svg`, …), so the runs can be compared at
/// a glance. Per-class members (`test.class_accuracy.3`) are left to each child's own plots.
enum SweepPlots {
    /// Reads each child's `metrics.jsonl` (children without one are skipped) and renders the charts into
    /// `folder`; returns the files written.
    @discardableResult
    static func write(children: [(label: String, folder: URL)], to folder: URL) throws -> [URL] {
        let logs = children.compactMap { child -> (String, [MetricRecord])? in
            let file = child.folder.appendingPathComponent("metrics.jsonl")
            guard let text = try? String(contentsOf: file, encoding: .utf8) else { return nil }
            return (child.label, text.split(separator: "\n").compactMap(MetricsLog.parse))
        }
        guard !logs.isEmpty else { return [] }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let names = Set(logs.flatMap { $0.1.flatMap(\.values.keys) }).filter { PlotWriter.split($0).member == nil }
        var written: [URL] = []
        for name in names.sorted() {
            let series = logs.map { label, records in
                SVGPlot.Series(
                    label: label, points: records.compactMap { r in r.values[name].map { (x: Double(r.step), y: $0) } })
            }
            let values = series.flatMap { $0.points.map(\.y) }
            let plot = SVGPlot(
                title: name, yLabel: name, series: series, logY: PlotWriter.prefersLogScale(name, values: values))
            let url = folder.appendingPathComponent(PlotWriter.fileName(name))
            try AtomicFile.write(Data(plot.render().utf8), to: url)
            written.append(url)
        }
        return written
    }
}

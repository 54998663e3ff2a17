import Experiment
import Foundation
import PluginAPI

/// Certified accuracy from CERTIFY's per-example rows: overall, per class and for the worst class, at radii.
///
/// "Approximate certified accuracy" at radius r is the fraction of rows whose prediction is the label and whose
/// radius is at least r; abstentions never count (robustness.md (a)). The worst class at r is the class (with
/// rows) whose own fraction is lowest.
struct CertificationReport {
    /// One certified example.
    struct Row: Equatable {
        /// Position in the evaluated split.
        var index: Int
        var label: Int
        /// The smoothed prediction, nil when CERTIFY abstained.
        var prediction: Int?
        var radius: Double
        var isCorrect: Bool { prediction == label }
    }

    let rows: [Row]
    let classCount: Int

    /// Certified accuracy at `radius` over `rows` (0 when empty).
    static func accuracy(_ rows: some Collection<Row>, atRadius radius: Double) -> Double {
        guard !rows.isEmpty else { return 0 }
        return Double(rows.filter { $0.isCorrect && $0.radius >= radius }.count) / Double(rows.count)
    }

    /// Rows of each class that has any, by class.
    var rowsByClass: [Int: [Row]] { Dictionary(grouping: rows, by: \.label) }

    /// Certified accuracy at `radius` per class with rows.
    func classAccuracy(atRadius radius: Double) -> [Int: Double] {
        rowsByClass.mapValues { Self.accuracy($0, atRadius: radius) }
    }

    /// The class with the lowest certified accuracy at `radius` (the lowest index on ties), and that accuracy.
    func worstClass(atRadius radius: Double) -> (label: Int, accuracy: Double)? {
        classAccuracy(atRadius: radius).min { ($0.value, $0.key) < ($1.value, $1.key) }
            .map { (label: $0.key, accuracy: $0.value) }
    }

    /// Share of rows where CERTIFY abstained.
    var abstainRate: Double {
        rows.isEmpty ? 0 : Double(rows.filter { $0.prediction == nil }.count) / Double(rows.count)
    }

    /// Metric-name spelling of a radius: `0_25` for 0.25, so that the run's plots do not read the digits after a
    /// dot as a class index.
    static func radiusKey(_ r: Double) -> String {
        String(format: "%g", r).replacingOccurrences(of: ".", with: "_").replacingOccurrences(of: "-", with: "m")
    }

    /// Metrics: `certified_accuracy_r<r>`, `worst_class_certified_accuracy_r<r>`,
    /// `class_certified_accuracy_r<r>.<c>` (when `perClass`) and `abstain_rate`.
    func metrics(radii: [Double], perClass: Bool) -> [String: Double] {
        var out: [String: Double] = ["abstain_rate": abstainRate]
        for r in radii {
            let key = Self.radiusKey(r)
            out["certified_accuracy_r\(key)"] = Self.accuracy(rows, atRadius: r)
            if let worst = worstClass(atRadius: r) { out["worst_class_certified_accuracy_r\(key)"] = worst.accuracy }
            if perClass {
                for (c, a) in classAccuracy(atRadius: r) { out["class_certified_accuracy_r\(key).\(c)"] = a }
            }
        }
        return out
    }

    /// The table by radius: overall, worst class (name and value) and every class's value.
    func details(radii: [Double], classNames: [String]?) -> ConfigValue {
        let name = { (c: Int) -> String in classNames.flatMap { $0.indices.contains(c) ? $0[c] : nil } ?? "\(c)" }
        return .array(
            radii.map { r in
                var entry: ConfigObject = [
                    "radius": .double(r), "certified_accuracy": .double(Self.accuracy(rows, atRadius: r)),
                ]
                if let worst = worstClass(atRadius: r) {
                    entry["worst_class"] = .string(name(worst.label))
                    entry["worst_class_certified_accuracy"] = .double(worst.accuracy)
                }
                let perClass = classAccuracy(atRadius: r).sorted { $0.key < $1.key }
                entry["class_certified_accuracy"] = .object(
                    ConfigObject(perClass.map { (name($0.key), ConfigValue.double($0.value)) }))
                return .object(entry)
            })
    }

    /// `index,label,prediction,radius,correct`, one line per row; an abstention is prediction −1, radius 0.
    func csv() -> Data {
        var text = "index,label,prediction,radius,correct\n"
        for row in rows {
            text += "\(row.index),\(row.label),\(row.prediction ?? -1),"
            text += String(format: "%.6f", row.radius) + ",\(row.isCorrect ? 1 : 0)\n"
        }
        return Data(text.utf8)
    }

    /// Certified accuracy against radius, overall and for the worst class at each radius, from 0 to just past the
    /// largest radius certified (or `cap`, the most any example could get).
    func plot(title: String, cap: Double) -> Data {
        let largest = rows.map(\.radius).max() ?? 0
        let end = Swift.max(Swift.min(cap, largest * 1.05), largest, 1e-3)
        let grid = (0...200).map { end * Double($0) / 200 }
        let overall = grid.map { (x: $0, y: Self.accuracy(rows, atRadius: $0)) }
        let worst = grid.map { (x: $0, y: worstClass(atRadius: $0)?.accuracy ?? 0) }
        let chart = SVGPlot(
            title: title, xLabel: "radius (L2)", yLabel: "certified accuracy",
            series: [
                SVGPlot.Series(label: "overall", points: overall),
                SVGPlot.Series(label: "worst class", points: worst),
            ])
        return Data(chart.render().utf8)
    }
}

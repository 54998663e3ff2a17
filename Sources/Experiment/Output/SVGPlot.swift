import Foundation

/// A line chart written as a standalone SVG file that any browser opens: one or more series against steps.
public struct SVGPlot: Sendable {
    /// One line of the chart.
    public struct Series: Sendable {
        /// Shown in the legend.
        public var label: String
        /// The points, in drawing order.
        public var points: [(x: Double, y: Double)]
        /// A series named `label`.
        public init(label: String, points: [(x: Double, y: Double)]) {
            self.label = label
            self.points = points
        }
    }

    /// Shown above the chart.
    public var title: String
    /// The x axis' label.
    public var xLabel: String
    /// The y axis' label.
    public var yLabel: String
    /// The lines, drawn in order with a cycling palette.
    public var series: [Series]
    /// Log-scale y axis (loss curves spanning decades); non-positive values are dropped.
    public var logY: Bool

    /// A chart of `series`.
    public init(title: String, xLabel: String = "step", yLabel: String, series: [Series], logY: Bool = false) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.logY = logY
    }

    private static let palette = [
        "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
    ]

    /// The SVG document.
    public func render(width: Double = 720, height: Double = 420) -> String {
        let left = 70.0
        let right = 20.0
        let top = 40.0
        let bottom = 50.0
        let plotW = width - left - right
        let plotH = height - top - bottom
        let transformed = series.map { s in
            s.points.compactMap { p -> (Double, Double)? in
                guard p.x.isFinite, p.y.isFinite, !logY || p.y > 0 else { return nil }
                return (p.x, logY ? Foundation.log10(p.y) : p.y)
            }
        }
        let all = transformed.flatMap { $0 }
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
            font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(width / 2)" y="22" text-anchor="middle" font-size="15">\(escape(title))</text>

            """
        guard let minX = all.map(\.0).min(), let maxX = all.map(\.0).max(),
            let minY = all.map(\.1).min(), let maxY = all.map(\.1).max()
        else {
            return out
                + "<text x=\"\(width / 2)\" y=\"\(height / 2)\" text-anchor=\"middle\">no data yet</text>\n</svg>\n"
        }
        let spanX = maxX > minX ? maxX - minX : 1
        let padY = maxY > minY ? (maxY - minY) * 0.05 : 1
        let lowY = minY - padY
        let spanY = (maxY + padY) - lowY
        func px(_ x: Double) -> Double { left + (x - minX) / spanX * plotW }
        func py(_ y: Double) -> Double { top + plotH - (y - lowY) / spanY * plotH }

        out +=
            "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(plotW)\" height=\"\(plotH)\" fill=\"none\" stroke=\"#888\"/>\n"
        for i in 0...4 {
            let fy = lowY + spanY * Double(i) / 4
            let fx = minX + spanX * Double(i) / 4
            let yText = logY ? format(Foundation.pow(10, fy)) : format(fy)
            out += "<line x1=\"\(left)\" y1=\"\(py(fy))\" x2=\"\(left + plotW)\" y2=\"\(py(fy))\" stroke=\"#eee\"/>\n"
            out += "<text x=\"\(left - 6)\" y=\"\(py(fy) + 4)\" text-anchor=\"end\">\(yText)</text>\n"
            out += "<text x=\"\(px(fx))\" y=\"\(top + plotH + 18)\" text-anchor=\"middle\">\(format(fx))</text>\n"
        }
        out += "<text x=\"\(left + plotW / 2)\" y=\"\(height - 10)\" text-anchor=\"middle\">\(escape(xLabel))</text>\n"
        out +=
            "<text x=\"16\" y=\"\(top + plotH / 2)\" text-anchor=\"middle\" "
            + "transform=\"rotate(-90 16 \(top + plotH / 2))\">\(escape(yLabel + (logY ? " (log)" : "")))</text>\n"
        for (i, points) in transformed.enumerated() where !points.isEmpty {
            let color = Self.palette[i % Self.palette.count]
            let path = points.map { "\(String(format: "%.2f", px($0.0))),\(String(format: "%.2f", py($0.1)))" }
                .joined(separator: " ")
            out += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" points=\"\(path)\"/>\n"
        }
        // The legend goes top right on a pale box, drawn over the lines: loss curves fall away from that corner,
        // and early spikes sit at the left.
        let shown = transformed.indices.filter { !transformed[$0].isEmpty }
        let widest = shown.map { series[$0].label.count }.max() ?? 0
        let boxWidth = Double(widest) * 7 + 12
        out +=
            "<rect x=\"\(left + plotW - boxWidth - 4)\" y=\"\(top + 4)\" width=\"\(boxWidth)\" "
            + "height=\"\(Double(shown.count) * 15 + 6)\" fill=\"white\" fill-opacity=\"0.85\"/>\n"
        for (row, i) in shown.enumerated() {
            let color = Self.palette[i % Self.palette.count]
            out +=
                "<text x=\"\(left + plotW - 10)\" y=\"\(top + 18 + Double(row) * 15)\" text-anchor=\"end\" "
                + "fill=\"\(color)\">\(escape(series[i].label))</text>\n"
        }
        return out + "</svg>\n"
    }

    private func format(_ v: Double) -> String {
        let a = Swift.abs(v)
        if a != 0 && (a < 1e-3 || a >= 1e5) { return String(format: "%.2e", v) }
        return String(format: a >= 100 ? "%.0f" : "%.3g", v)
    }

    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}

import Foundation

/// A heat map: a grid of values over two sets of labelled categories (a sweep's parameter
/// values), coloured on a sequential scale with a colour bar. Row 0 is the first y label and is
/// drawn at the bottom, so that y grows upwards as on a numeric axis. A missing value (NaN) is
/// a grey cell.
public struct Heatmap {
    public let values: [[Double]]   // values[row][column]
    public let xLabels: [String]
    public let yLabels: [String]
    public var range: (Double, Double)?
    /// Write each cell's value in it.
    public var annotate: Bool

    public init(values: [[Double]], xLabels: [String]? = nil, yLabels: [String]? = nil,
                range: (Double, Double)? = nil, annotate: Bool? = nil) throws {
        guard let columns = values.first?.count, columns > 0 else { throw TensorError("heatmap: no values") }
        guard values.allSatisfy({ $0.count == columns }) else { throw TensorError("heatmap: rows of different lengths") }
        guard values.count * columns <= 250_000 else { throw TensorError("heatmap: at most 250000 cells, got \(values.count * columns)") }
        let x = xLabels ?? (1...columns).map(String.init), y = yLabels ?? (1...values.count).map(String.init)
        guard x.count == columns else { throw TensorError("heatmap: \(x.count) x labels for \(columns) columns") }
        guard y.count == values.count else { throw TensorError("heatmap: \(y.count) y labels for \(values.count) rows") }
        if let r = range, !(r.0 < r.1) || !r.0.isFinite || !r.1.isFinite {
            throw TensorError("heatmap: range must have finite lo < hi, got {\(r.0), \(r.1)}")
        }
        self.values = values
        self.xLabels = x
        self.yLabels = y
        self.range = range
        self.annotate = annotate ?? (values.count * columns <= 144)
    }

    /// The colour scale's ends: the given range, else the finite values' extent.
    var limits: (Double, Double) {
        if let range { return range }
        let finite = values.joined().filter { $0.isFinite }
        guard let lo = finite.min(), let hi = finite.max() else { return (0, 1) }
        return lo < hi ? (lo, hi) : (lo - 0.5, hi + 0.5)
    }

    /// A perceptually ordered scale from dark blue through green to yellow (stops sampled by
    /// eye along viridis's path), linear in between.
    static let stops: [(Double, Double, Double)] = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)]

    static func color(_ t: Double) -> String {
        guard t.isFinite else { return "#bbbbbb" }
        let u = min(max(t, 0), 1) * Double(stops.count - 1)
        let i = min(Int(u), stops.count - 2), w = u - Double(i)
        let (a, b) = (stops[i], stops[i + 1])
        let c = [a.0 + (b.0 - a.0) * w, a.1 + (b.1 - a.1) * w, a.2 + (b.2 - a.2) * w]
        return "#" + c.map { String(format: "%02X", Int($0.rounded())) }.joined()
    }

    /// Short text for a value in a cell or on the colour bar.
    static func label(_ v: Double) -> String {
        guard v.isFinite else { return v.isNaN ? "" : (v > 0 ? "inf" : "-inf") }
        return String(format: abs(v) >= 1e4 || (abs(v) < 1e-2 && v != 0) ? "%.2g" : "%.3g", v)
    }
}

extension SVGRenderer {
    /// Draws a panel holding a heat map: cells, category ticks, axis labels, colour bar.
    func drawHeatmap(_ h: Heatmap, _ p: Panel, box full: Box, into out: inout SVGWriter) {
        let box = Box(x0: full.x0, y0: full.y0, x1: full.x1 - 70, y1: full.y1)  // room for the bar
        let rows = h.values.count, columns = h.xLabels.count
        let cw = (box.x1 - box.x0) / Double(columns), ch = (box.y1 - box.y0) / Double(rows)
        let (lo, hi) = h.limits
        for r in 0..<rows {
            for c in 0..<columns {
                let v = h.values[r][c]
                let x = box.x0 + Double(c) * cw, y = box.y1 - Double(r + 1) * ch
                let fill = Heatmap.color((v - lo) / (hi - lo))
                out.raw("<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(cw + 0.3))\" height=\"\(f(ch + 0.3))\" fill=\"\(fill)\"><title>\(SVGWriter.escape("\(h.xLabels[c]), \(h.yLabels[r]): \(Heatmap.label(v))"))</title></rect>")
                if h.annotate && v.isFinite && cw > 24 && ch > 12 {
                    let light = (v - lo) / (hi - lo) < 0.6
                    out.raw("<text x=\"\(f(x + cw / 2))\" y=\"\(f(y + ch / 2 + 4))\" font-size=\"10\" text-anchor=\"middle\" fill=\"\(light ? "#ffffff" : "#222222")\">\(Heatmap.label(v))</text>")
                }
            }
        }
        out.raw("<rect x=\"\(f(box.x0))\" y=\"\(f(box.y0))\" width=\"\(f(box.x1 - box.x0))\" height=\"\(f(box.y1 - box.y0))\" fill=\"none\" stroke=\"#444444\" stroke-width=\"1\"/>")
        // Category ticks: every label while they fit, else every k-th.
        let xStep = max(1, Int((Double(columns) * 40 / (box.x1 - box.x0)).rounded(.up)))
        for c in stride(from: 0, to: columns, by: xStep) {
            out.text(h.xLabels[c], x: box.x0 + (Double(c) + 0.5) * cw, y: box.y1 + 16, size: 11, anchor: "middle")
        }
        let yStep = max(1, Int((Double(rows) * 14 / (box.y1 - box.y0)).rounded(.up)))
        for r in stride(from: 0, to: rows, by: yStep) {
            out.text(h.yLabels[r], x: box.x0 - 6, y: box.y1 - (Double(r) + 0.5) * ch + 4, size: 11, anchor: "end")
        }
        if let t = p.title { out.text(t, x: (box.x0 + box.x1) / 2, y: box.y0 - 9, size: 13, anchor: "middle", weight: "bold") }
        if let l = p.xLabel { out.text(l, x: (box.x0 + box.x1) / 2, y: box.y1 + 35, size: 12, anchor: "middle") }
        if let l = p.yLabel {
            let cx = box.x0 - 52, cy = (box.y0 + box.y1) / 2
            out.raw("<text x=\"\(f(cx))\" y=\"\(f(cy))\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 \(f(cx)) \(f(cy)))\">\(SVGWriter.escape(l))</text>")
        }
        // The colour bar: 32 bands from lo (bottom) to hi (top), ends and middle labelled.
        let bx = box.x1 + 14, bw = 14.0, bands = 32
        let bh = (box.y1 - box.y0) / Double(bands)
        for k in 0..<bands {
            out.raw("<rect x=\"\(f(bx))\" y=\"\(f(box.y1 - Double(k + 1) * bh))\" width=\"\(f(bw))\" height=\"\(f(bh + 0.3))\" fill=\"\(Heatmap.color((Double(k) + 0.5) / Double(bands)))\"/>")
        }
        out.raw("<rect x=\"\(f(bx))\" y=\"\(f(box.y0))\" width=\"\(f(bw))\" height=\"\(f(box.y1 - box.y0))\" fill=\"none\" stroke=\"#444444\" stroke-width=\"1\"/>")
        for (t, v) in [(0.0, lo), (0.5, (lo + hi) / 2), (1.0, hi)] {
            let y = box.y1 - t * (box.y1 - box.y0)
            out.line(bx + bw, y, bx + bw + 4, y, color: "#444444", width: 1)
            out.text(Heatmap.label(v), x: bx + bw + 6, y: y + 4, size: 10, anchor: "start")
        }
    }
}

import Foundation

/// A panel's legend: its entries, its size, where it goes (LegendPlacement) and its drawing.
extension SVGRenderer {
    struct LegendEntry {
        var label: String
        var style: LineStyle
        /// A class of a scatter plot: shown by its marker alone.
        var pointOnly: Bool
    }

    struct Legend {
        var entries: [LegendEntry]
        var width: Double
        var height: Double
        var placement: LegendPlacement
    }

    func legendEntries(_ p: Panel) -> [LegendEntry] {
        var entries: [LegendEntry] = []
        var classesSeen = Set<Int>()
        for item in p.items {
            switch item {
            case .line(_, _, let s), .horizontal(_, let s), .vertical(_, let s):
                if let l = s.label { entries.append(LegendEntry(label: l, style: s, pointOnly: false)) }
            case .scatter(_, _, let classes, _, let marker):
                for c in Set(classes).sorted() where !classesSeen.contains(c) {
                    classesSeen.insert(c)
                    let s = LineStyle(color: Palette.color(c - 1), marker: marker, markerSize: 4)
                    entries.append(LegendEntry(label: "class \(c)", style: s, pointOnly: true))
                }
            default: break
            }
        }
        return entries
    }

    /// The legend of a panel laid out in `box`, or nil when it has nothing to show.
    func legend(for p: Panel, box: Box, xa: Axis, ya: Axis) -> Legend? {
        let entries = legendEntries(p)
        guard !entries.isEmpty else { return nil }
        let width = 22 + 7 * Double(entries.map { $0.label.count }.max() ?? 0) + 10
        let height = 16 * Double(entries.count) + 8
        let points = dataPoints(p, box: box, xa: xa, ya: ya)
        let placement = LegendPlacement.choose(points: points, box: box, width: width, height: height)
        return Legend(entries: entries, width: width, height: height, placement: placement)
    }

    /// Pixel positions the legend should not hide: points, and lines sampled every few pixels
    /// along each segment (a straight segment crossing a corner has no vertex there).
    func dataPoints(_ p: Panel, box: Box, xa: Axis, ya: Axis) -> [(Double, Double)] {
        let px = { (v: Double) in xa.pixel(v, box.x0, box.x1) }
        let py = { (v: Double) in ya.pixel(v, box.y1, box.y0) }
        var points: [(Double, Double)] = []
        func segment(_ a: (Double, Double), _ b: (Double, Double)) {
            let length = hypot(b.0 - a.0, b.1 - a.1)
            let n = length.isFinite ? Int(min(length / 4, 2000)) : 0
            for k in 0...n { let t = n == 0 ? 0 : Double(k) / Double(n); points.append((a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1))) }
        }
        for item in p.items {
            switch item {
            case .line(let x, let y, let style):
                let keep = Decimation.keep(count: x.count, column: { Decimation.column(px(x[$0])) }, value: { y[$0] },
                                           limit: max(4 * Int(box.x1 - box.x0), 400))
                var previous: (Double, Double)?
                for i in keep {
                    guard let a = px(x[i]), let b = py(y[i]) else { previous = nil; continue }
                    if style.showLine, let q = previous { segment(q, (a, b)) } else { points.append((a, b)) }
                    previous = (a, b)
                }
            case .scatter(let x, let y, _, _, _):
                for k in 0..<x.count { if let a = px(x[k]), let b = py(y[k]) { points.append((a, b)) } }
            case .errorBars(let x, let lower, let upper, _):
                for k in 0..<x.count {
                    guard let a = px(x[k]) else { continue }
                    segment((a, py(lower[k]) ?? box.y1), (a, py(upper[k]) ?? box.y0))
                }
            case .horizontal(let v, _): if let b = py(v) { segment((box.x0, b), (box.x1, b)) }
            case .vertical(let v, _): if let a = px(v) { segment((a, box.y0), (a, box.y1)) }
            default: break
            }
        }
        return points
    }

    func drawLegend(_ legend: Legend, box: Box, into out: inout SVGWriter) {
        let (x0, y0) = legend.placement.origin(box: box, width: legend.width, height: legend.height)
        out.raw("<rect x=\"\(f(x0))\" y=\"\(f(y0))\" width=\"\(f(legend.width))\" height=\"\(f(legend.height))\" fill=\"#ffffff\" fill-opacity=\"0.85\" stroke=\"#cccccc\"/>")
        for (k, e) in legend.entries.enumerated() {
            let y = y0 + 12 + 16 * Double(k)
            if !e.pointOnly && e.style.showLine {
                out.line(x0 + 5, y, x0 + 21, y, color: e.style.color, width: 2, dash: e.style.dash)
            }
            if let m = e.style.marker ?? (e.pointOnly ? .circle : nil) {
                out.raw(m.svg(x: x0 + 13, y: y, size: min(e.style.markerSize, 5), color: e.style.color))
            }
            out.text(e.label, x: x0 + 26, y: y + 4, size: 11, anchor: "start")
        }
    }
}

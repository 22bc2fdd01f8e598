import Foundation

/// Draws a Figure as a standalone SVG document (no scripts, no external resources), which any
/// browser opens.
public struct SVGRenderer {
    public init() {}

    struct Box { var x0, y0, x1, y1: Double }

    public func render(_ fig: Figure) -> String {
        var out = SVGWriter(width: fig.width, height: fig.height)
        let titleHeight = fig.title == nil ? 0.0 : 34
        if let t = fig.title {
            out.text(t, x: fig.width / 2, y: 22, size: 16, anchor: "middle", weight: "bold")
        }
        let cellW = fig.width / Double(fig.columns)
        let cellH = (fig.height - titleHeight) / Double(fig.rows)
        let sharedX = fig.sharedX ? (0..<fig.columns).map { c in
            xAxis(for: (0..<fig.rows).map { fig.panels[$0 * fig.columns + c] })
        } : nil
        // Panels with their boxes, axes and legends; a legend that goes outside narrows every
        // panel of its column alike, so that stacked panels keep one x scale. Narrowing moves
        // the data, so the legends are placed again (a few rounds settle it).
        var layouts: [(index: Int, box: Box, xa: Axis, ya: Axis, hideX: Bool)] = []
        for (i, panel) in fig.panels.enumerated() {
            let r = i / fig.columns, c = i % fig.columns
            let hideX = fig.sharedX && r != fig.rows - 1
            let top = titleHeight + Double(r) * cellH
            let box = Box(x0: Double(c) * cellW + 74, y0: top + (panel.title == nil ? 12 : 28),
                          x1: Double(c + 1) * cellW - 18, y1: top + cellH - (hideX ? 10 : (panel.xLabel == nil ? 30 : 46)))
            guard box.x1 - box.x0 > 20, box.y1 - box.y0 > 20 else { continue }
            if let h = panel.heatmap, box.x1 - box.x0 > 120 { drawHeatmap(h, panel, box: box, into: &out); continue }
            layouts.append((i, box, sharedX?[c] ?? xAxis(for: [panel]), yAxis(for: panel), hideX))
        }
        var reserve = [Double](repeating: 0, count: fig.columns)
        var legends: [Legend?] = []
        for _ in 0..<3 {
            legends = layouts.map { l in
                var box = l.box
                box.x1 -= reserve[l.index % fig.columns]
                return fig.panels[l.index].legend ? legend(for: fig.panels[l.index], box: box, xa: l.xa, ya: l.ya) : nil
            }
            var needed = [Double](repeating: 0, count: fig.columns)
            for (l, legend) in zip(layouts, legends) where legend?.placement == .outside {
                needed[l.index % fig.columns] = max(needed[l.index % fig.columns], legend!.width + 14)
            }
            let grown = zip(needed, reserve).map { max($0, $1) }
            if grown == reserve { break }
            reserve = grown
        }
        for (l, legend) in zip(layouts, legends) {
            var box = l.box
            box.x1 -= reserve[l.index % fig.columns]
            guard box.x1 - box.x0 > 20 else { continue }
            draw(fig.panels[l.index], index: l.index, box: box, xa: l.xa, ya: l.ya, showXTicks: !l.hideX, into: &out)
            if let legend { drawLegend(legend, box: box, into: &out) }
        }
        return out.finish()
    }

    // MARK: axes

    func xAxis(for panels: [Panel]) -> Axis {
        let p = panels[0]
        if let (lo, hi) = p.xLimits, let a = p.xScale.transform(lo), let b = p.xScale.transform(hi) {
            return Axis(scale: p.xScale, lower: a, upper: b)
        }
        var values: [Double] = []
        for panel in panels {
            for item in panel.items {
                switch item {
                case .line(let x, _, _), .scatter(let x, _, _, _, _), .errorBars(let x, _, _, _): values += [x.min() ?? 0, x.max() ?? 1].filter { $0.isFinite }
                    if p.xScale != .linear { values += x }
                case .regions(_, let x, _): values += [x.0, x.1]
                case .vertical(let v, _): values.append(v)
                case .horizontal: break
                }
            }
        }
        let hasRegions = panels.contains { $0.items.contains { if case .regions = $0 { return true }; return false } }
        return Axis.fitting(values, scale: p.xScale, pad: hasRegions ? 0 : 0.02)
    }

    func yAxis(for p: Panel) -> Axis {
        if let (lo, hi) = p.yLimits, let a = p.yScale.transform(lo), let b = p.yScale.transform(hi) {
            return Axis(scale: p.yScale, lower: a, upper: b)
        }
        var values: [Double] = []
        var hasRegions = false
        for item in p.items {
            switch item {
            case .line(_, let y, _), .scatter(_, let y, _, _, _): values += y
            case .errorBars(_, let lower, let upper, _): values += lower + upper
            case .regions(_, _, let y): values += [y.0, y.1]; hasRegions = true
            case .horizontal(let v, _): values.append(v)
            case .vertical: break
            }
        }
        return Axis.fitting(values, scale: p.yScale, pad: hasRegions ? 0 : 0.05)
    }

    // MARK: a panel

    func draw(_ p: Panel, index: Int, box: Box, xa: Axis, ya: Axis, showXTicks: Bool, into out: inout SVGWriter) {
        let clip = "clip\(index)"
        out.raw("<clipPath id=\"\(clip)\"><rect x=\"\(f(box.x0))\" y=\"\(f(box.y0))\" width=\"\(f(box.x1 - box.x0))\" height=\"\(f(box.y1 - box.y0))\"/></clipPath>")
        out.raw("<rect x=\"\(f(box.x0))\" y=\"\(f(box.y0))\" width=\"\(f(box.x1 - box.x0))\" height=\"\(f(box.y1 - box.y0))\" fill=\"#ffffff\" stroke=\"none\"/>")
        let px = { (v: Double) in xa.pixel(v, box.x0, box.x1) }
        let py = { (v: Double) in ya.pixel(v, box.y1, box.y0) }

        out.raw("<g clip-path=\"url(#\(clip))\">")
        for item in p.items { if case .regions(let classes, let xr, let yr) = item { drawRegions(classes, xr, yr, px, py, &out) } }
        // Grid lines at the ticks.
        for t in xa.ticks() { if let x = px(t) { out.line(x, box.y0, x, box.y1, color: "#e6e6e6", width: 1) } }
        for t in ya.ticks() { if let y = py(t) { out.line(box.x0, y, box.x1, y, color: "#e6e6e6", width: 1) } }
        var lineIndex = 0
        for item in p.items {
            switch item {
            case .line(let x, let y, let style):
                drawLine(x, y, style, px, py, columns: Int(box.x1 - box.x0), &out)
                lineIndex += 1
            case .horizontal(let v, let style):
                if let y = py(v) { out.line(box.x0, y, box.x1, y, color: style.color, width: style.width, dash: style.dash) }
            case .vertical(let v, let style):
                if let x = px(v) { out.line(x, box.y0, x, box.y1, color: style.color, width: style.width, dash: style.dash) }
            case .scatter(let x, let y, let classes, let size, let marker):
                for k in 0..<x.count {
                    guard let cx = px(x[k]), let cy = py(y[k]) else { continue }
                    out.raw(marker.svg(x: cx, y: cy, size: size, color: Palette.color(classes[k] - 1)))
                }
            case .errorBars(let x, let lower, let upper, let style):
                drawErrorBars(x, lower, upper, style, px, py, box: box, &out)
            case .regions: break
            }
        }
        out.raw("</g>")
        out.raw("<rect x=\"\(f(box.x0))\" y=\"\(f(box.y0))\" width=\"\(f(box.x1 - box.x0))\" height=\"\(f(box.y1 - box.y0))\" fill=\"none\" stroke=\"#444444\" stroke-width=\"1\"/>")

        // Ticks and labels.
        for t in ya.ticks() {
            guard let y = py(t) else { continue }
            out.line(box.x0 - 4, y, box.x0, y, color: "#444444", width: 1)
            out.text(Axis.label(t), x: box.x0 - 7, y: y + 4, size: 11, anchor: "end")
        }
        for t in xa.ticks() {
            guard let x = px(t) else { continue }
            out.line(x, box.y1, x, box.y1 + 4, color: "#444444", width: 1)
            if showXTicks { out.text(Axis.label(t), x: x, y: box.y1 + 17, size: 11, anchor: "middle") }
        }
        // Minor ticks (log axes): short and unlabelled.
        for t in ya.minorTicks() { if let y = py(t) { out.line(box.x0 - 2, y, box.x0, y, color: "#444444", width: 0.8) } }
        for t in xa.minorTicks() { if let x = px(t) { out.line(x, box.y1, x, box.y1 + 2, color: "#444444", width: 0.8) } }
        if let t = p.title { out.text(t, x: (box.x0 + box.x1) / 2, y: box.y0 - 9, size: 13, anchor: "middle", weight: "bold") }
        if let l = p.xLabel, showXTicks { out.text(l, x: (box.x0 + box.x1) / 2, y: box.y1 + 35, size: 12, anchor: "middle") }
        if let l = p.yLabel {
            let cx = box.x0 - 52, cy = (box.y0 + box.y1) / 2
            out.raw("<text x=\"\(f(cx))\" y=\"\(f(cy))\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 \(f(cx)) \(f(cy)))\">\(SVGWriter.escape(l))</text>")
        }
    }

    func drawRegions(_ classes: [[Int]], _ xr: (Double, Double), _ yr: (Double, Double),
                     _ px: (Double) -> Double?, _ py: (Double) -> Double?, _ out: inout SVGWriter) {
        let ny = classes.count
        guard ny > 0, let nx = classes.first?.count, nx > 0 else { return }
        let dx = (xr.1 - xr.0) / Double(nx), dy = (yr.1 - yr.0) / Double(ny)
        for j in 0..<ny {
            // One rectangle per run of equal classes along the row.
            var i = 0
            while i < nx {
                var k = i
                while k + 1 < nx && classes[j][k + 1] == classes[j][i] { k += 1 }
                if let a = px(xr.0 + Double(i) * dx), let b = px(xr.0 + Double(k + 1) * dx),
                   let c = py(yr.0 + Double(j + 1) * dy), let d = py(yr.0 + Double(j) * dy) {
                    out.raw("<rect x=\"\(f(min(a, b)))\" y=\"\(f(min(c, d)))\" width=\"\(f(abs(b - a) + 0.3))\" height=\"\(f(abs(d - c) + 0.3))\" fill=\"\(Palette.tint(classes[j][i] - 1, amount: 0.72))\"/>")
                }
                i = k + 1
            }
        }
    }

    func drawLine(_ x: [Double], _ y: [Double], _ style: LineStyle, _ px: (Double) -> Double?, _ py: (Double) -> Double?,
                  columns: Int, _ out: inout SVGWriter) {
        let keep = Decimation.keep(count: x.count, column: { Decimation.column(px(x[$0])) }, value: { y[$0] }, limit: max(4 * columns, 400))
        var d = ""
        d.reserveCapacity(keep.count * 16)
        var penDown = false
        for i in keep {
            guard let a = px(x[i]), let b = py(y[i]) else { penDown = false; continue }
            d += (penDown ? "L" : "M") + f(a) + "," + f(b)
            penDown = true
        }
        if let marker = style.marker {
            // At every point when they fit (a few per pixel column at most), else at the kept ones.
            let at = x.count <= 2 * columns ? Array(0..<x.count) : keep
            for i in at { if let a = px(x[i]), let b = py(y[i]) { out.raw(marker.svg(x: a, y: b, size: style.markerSize, color: style.color)) } }
        }
        guard !d.isEmpty, style.showLine else { return }
        out.raw("<path d=\"\(d)\" fill=\"none\" stroke=\"\(style.color)\" stroke-width=\"\(f(style.width))\"\(style.dash ? " stroke-dasharray=\"6,4\"" : "") stroke-linejoin=\"round\"/>")
    }
}

/// Two decimals are plenty for pixel coordinates and keep files small.
@inline(__always)
func f(_ v: Double) -> String { String(format: "%.2f", v) }

/// Accumulates SVG text.
struct SVGWriter {
    private var body: [String] = []
    let width: Double, height: Double

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    mutating func raw(_ s: String) { body.append(s) }

    mutating func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, color: String, width: Double, dash: Bool = false) {
        body.append("<line x1=\"\(f(x0))\" y1=\"\(f(y0))\" x2=\"\(f(x1))\" y2=\"\(f(y1))\" stroke=\"\(color)\" stroke-width=\"\(f(width))\"\(dash ? " stroke-dasharray=\"6,4\"" : "")/>")
    }

    mutating func text(_ s: String, x: Double, y: Double, size: Double, anchor: String, weight: String = "normal") {
        body.append("<text x=\"\(f(x))\" y=\"\(f(y))\" font-size=\"\(f(size))\" text-anchor=\"\(anchor)\"\(weight == "normal" ? "" : " font-weight=\"\(weight)\"")>\(SVGWriter.escape(s))</text>")
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(ch)
            }
        }
        return out
    }

    func finish() -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" +
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(height))\" viewBox=\"0 0 \(f(width)) \(f(height))\" font-family=\"Helvetica, Arial, sans-serif\" fill=\"#222222\">\n" +
        "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n" +
        body.joined(separator: "\n") + "\n</svg>\n"
    }
}

extension Figure {
    public func svg() -> String { SVGRenderer().render(self) }

    /// Writes the SVG with AtomicFile.
    public func save(path: String) throws {
        try AtomicFile.write(svg(), to: path, op: "plot save")
    }
}

extension SVGRenderer {
    /// A vertical bar per point with caps 8 px wide; an end a log axis cannot show (<= 0) runs
    /// to the panel's edge.
    func drawErrorBars(_ x: [Double], _ lower: [Double], _ upper: [Double], _ style: LineStyle,
                       _ px: (Double) -> Double?, _ py: (Double) -> Double?, box: Box, _ out: inout SVGWriter) {
        let width = max(1, style.width * 0.8)
        for k in 0..<x.count {
            guard let a = px(x[k]), lower[k].isFinite, upper[k].isFinite else { continue }
            let lo = py(lower[k]) ?? box.y1 + 1, hi = py(upper[k]) ?? box.y0 - 1
            out.line(a, lo, a, hi, color: style.color, width: width)
            if let p = py(lower[k]) { out.line(a - 4, p, a + 4, p, color: style.color, width: width) }
            if let p = py(upper[k]) { out.line(a - 4, p, a + 4, p, color: style.color, width: width) }
        }
    }
}

import XCTest
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import DynCore

/// Plot layout arithmetic against hand-computed values, and the SVG as a parsed XML document.
final class PlotTests: XCTestCase {
    func testNiceTicks() {
        XCTAssertEqual(Axis.niceTicks(0, 1, target: 5), [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1])
        XCTAssertEqual(Axis.niceTicks(0, 7, target: 6), [0, 2, 4, 6])
        XCTAssertEqual(Axis.niceTicks(-3, 3, target: 6), [-3, -2, -1, 0, 1, 2, 3])
        XCTAssertEqual(Axis.niceTicks(1200, 5100, target: 4), [2000, 3000, 4000, 5000])
    }

    func testLogTicksAreDecadesOrOneTwoFive() {
        XCTAssertEqual(Axis(scale: .log, lower: -2, upper: 1).ticks(), [0.01, 0.1, 1, 10])
        // Less than two decades: 1-2-5 ticks.
        XCTAssertEqual(Axis(scale: .log, lower: log10(0.15), upper: log10(3)).ticks(), [0.2, 0.5, 1, 2])
    }

    /// Enough labels at every span: decades with 2..9 minor ticks, every other decade when there
    /// are many, all integer multiples within a decade, linear ticks within a narrow range.
    func testLogTicksAtEverySpan() {
        let three = Axis(scale: .log, lower: -1, upper: 1)
        XCTAssertEqual(three.ticks(), [0.1, 1, 10])
        XCTAssertEqual(three.minorTicks().count, 16)
        XCTAssertEqual(three.minorTicks().first!, 0.2, accuracy: 1e-15)
        XCTAssertEqual(three.minorTicks().last!, 9, accuracy: 1e-12)
        let ten = Axis(scale: .log, lower: -8, upper: 2)
        // Eleven decades, about six labels: every other one.
        XCTAssertEqual(ten.ticks(), [1e-8, 1e-6, 1e-4, 1e-2, 1, 100])
        XCTAssertEqual(ten.minorTicks(), [1e-7, 1e-5, 1e-3, 1e-1, 10])
        // Within one decade, 1-2-5 gives one tick only: every multiple is labelled.
        let narrow = Axis(scale: .log, lower: log10(0.05), upper: log10(0.09))
        XCTAssertEqual(narrow.ticks().map { ($0 * 100).rounded() }, [5, 6, 7, 8, 9])
        XCTAssertEqual(narrow.minorTicks(), [])
        // Narrower still: linear ticks.
        let tiny = Axis(scale: .log, lower: log10(0.0501), upper: log10(0.0519))
        XCTAssertEqual(tiny.ticks().count, 3)
        XCTAssertEqual(tiny.ticks()[0], 0.0505, accuracy: 1e-12)
        XCTAssertEqual(tiny.ticks()[2], 0.0515, accuracy: 1e-12)
        XCTAssertEqual(Axis(scale: .linear, lower: 0, upper: 1).minorTicks(), [])
    }

    /// The legend goes to the first corner free of data, else outside the panel.
    func testLegendPlacement() {
        let box = SVGRenderer.Box(x0: 0, y0: 0, x1: 400, y1: 300)
        func place(_ points: [(Double, Double)]) -> LegendPlacement {
            LegendPlacement.choose(points: points, box: box, width: 80, height: 40)
        }
        XCTAssertEqual(place([]), .topRight)
        XCTAssertEqual(place([(380, 20)]), .topLeft)
        XCTAssertEqual(place([(380, 20), (20, 20)]), .bottomRight)
        XCTAssertEqual(place([(380, 20), (20, 20), (380, 280)]), .bottomLeft)
        XCTAssertEqual(place([(380, 20), (20, 20), (380, 280), (20, 280)]), .outside)
        // A point just outside the legend box (more than 3 px away) leaves the corner free.
        XCTAssertEqual(place([(400 - 6 - 80 - 4, 20)]), .topRight)
        XCTAssertEqual(LegendPlacement.choose(points: [], box: box, width: 150, height: 290), .outside)
        // Wider than half the panel: never outside, but in the corner covering the fewest points.
        let wide = { (points: [(Double, Double)]) in LegendPlacement.choose(points: points, box: box, width: 200, height: 40) }
        XCTAssertEqual(wide([(380, 20), (20, 20), (380, 280), (20, 280), (20, 270)]), .topRight)
        XCTAssertEqual(wide([(380, 20), (390, 20), (20, 20), (380, 280), (20, 280), (20, 270)]), .topLeft)
        // Origins: 6 px inside the corner; outside, right of the frame.
        XCTAssertTrue(LegendPlacement.bottomLeft.origin(box: box, width: 80, height: 40) == (6, 254))
        XCTAssertTrue(LegendPlacement.outside.origin(box: box, width: 80, height: 40) == (408, 0))
    }

    /// A rising line fills the bottom-left and top-right corners: the legend goes top-left. When
    /// data covers all four corners, it moves outside and the panel narrows to make room.
    func testRenderedLegendAvoidsTheData() throws {
        func legendX(_ fig: Figure) throws -> Double {
            let svg = fig.svg()
            let rect = svg.components(separatedBy: "\n").first { $0.contains("fill-opacity=\"0.85\"") }!
            let x = rect.components(separatedBy: "x=\"")[1].components(separatedBy: "\"")[0]
            return Double(x)!
        }
        let fig = try Figure(width: 520, height: 380)
        try fig.panel(0).add(.line(x: [0, 1], y: [0, 1], style: LineStyle(label: "up", color: "#000000")))
        XCTAssertEqual(try legendX(fig), 74 + 6)  // the panel's left edge plus the margin
        try fig.panel(0).add(.line(x: [0, 1], y: [1, 0], style: LineStyle(label: "down", color: "#000000")))
        // Legend width 22 + 7 * 4 + 10 = 60: the frame's right edge moves from 502 to 502 - 60 - 14,
        // and the legend starts 8 px right of it.
        XCTAssertEqual(try legendX(fig), 502 - 74 + 8)

        // Stacked panels: the narrowing applies to the whole column, so the x scales stay aligned.
        let stacked = try Figure(rows: 2, columns: 1, width: 520, height: 500, sharedX: true)
        try stacked.panel(0).add(.line(x: [0, 1], y: [0, 1], style: LineStyle(label: "up", color: "#000000")))
        try stacked.panel(0).add(.line(x: [0, 1], y: [1, 0], style: LineStyle(label: "down", color: "#000000")))
        try stacked.panel(1).add(.line(x: [0, 1], y: [0, 1], style: LineStyle(color: "#000000")))
        let frames = stacked.svg().components(separatedBy: "\n").filter { $0.contains("stroke=\"#444444\" stroke-width=\"1\"/>") && $0.hasPrefix("<rect") }
        XCTAssertEqual(frames.count, 2)
        let widths = frames.map { $0.components(separatedBy: "width=\"")[1].components(separatedBy: "\"")[0] }
        XCTAssertEqual(widths, [String(format: "%.2f", 502 - 74 - 74.0), String(format: "%.2f", 502 - 74 - 74.0)])
    }

    func testMarkersAndErrorBars() throws {
        let fig = try Figure()
        let p = try fig.panel(0)
        p.add(.line(x: [1, 2, 3], y: [1, 2, 3], style: LineStyle(label: "s", color: "#000000", marker: .square)))
        p.add(.line(x: [1, 2, 3], y: [3, 2, 1], style: LineStyle(color: "#111111", marker: .triangle, showLine: false)))
        p.add(.line(x: [1, 2], y: [2, 2], style: LineStyle(color: "#222222", marker: .cross)))
        p.add(.errorBars(x: [1, 2], lower: [0.5, 1], upper: [1.5, 4], style: LineStyle(color: "#333333")))
        let svg = fig.svg()
        let c = try parse(svg)
        XCTAssertEqual(c.counts["polygon"], 3)
        XCTAssertEqual(c.counts["path"], 2)  // the triangles' series has no line
        XCTAssertEqual(c.counts["g"], 1 + 2)  // the panel's clip group and two crosses
        // Each error bar: one vertical line and two caps, in its colour.
        XCTAssertEqual(svg.components(separatedBy: "stroke=\"#333333\"").count - 1, 6)
        // The axis reaches the top of the highest bar.
        XCTAssertEqual(SVGRenderer().yAxis(for: p).upper, 4 + 3.5 * 0.05, accuracy: 1e-12)
    }

    func testSymlogTicksAreSignedDecades() {
        let scale = AxisScale.symlog(threshold: 1e-6)
        let a = Axis(scale: scale, lower: scale.transform(-1e-3)!, upper: scale.transform(1e-2)!)
        let t = a.ticks(target: 20)
        XCTAssertTrue(t.contains(0) && t.contains(1e-2) && t.contains(-1e-3) && t.contains(1e-6))
        XCTAssertEqual(scale.inverse(scale.transform(-0.25)!), -0.25, accuracy: 1e-15)
    }

    func testPixelMapping() {
        let lin = Axis(scale: .linear, lower: 0, upper: 10)
        XCTAssertEqual(lin.pixel(5, 100, 300), 200)
        XCTAssertEqual(lin.pixel(2.5, 300, 100), 250)  // y axes run upwards
        let log = Axis(scale: .log, lower: 0, upper: 2)
        XCTAssertEqual(log.pixel(10, 0, 400), 200)
        XCTAssertNil(log.pixel(0, 0, 400))
        XCTAssertNil(lin.pixel(.nan, 0, 400))
    }

    func testLabels() {
        XCTAssertEqual(Axis.label(0.5), "0.5")
        XCTAssertEqual(Axis.label(2000), "2000")
        XCTAssertEqual(Axis.label(1e-5), "1e-5")
        XCTAssertEqual(Axis.label(2.5e6), "2.5e6")
    }

    func testPaletteTint() {
        XCTAssertEqual(Palette.tint(0, amount: 0), "#0072B2")
        XCTAssertEqual(Palette.tint(0, amount: 1), "#FFFFFF")
        XCTAssertEqual(Palette.tint(7, amount: 0.5), "#80" + "80" + "80")
    }

    /// A spike in a long series survives decimation; the series shrinks to a few points per column.
    func testDecimationKeepsExtremes() {
        let n = 70_000
        var y = (0..<n).map { sin(Double($0) / 1000) }
        y[31_337] = 50
        y[40_000] = -50
        let keep = Decimation.keep(count: n, column: { $0 * 600 / n }, value: { y[$0] }, limit: 2400)
        XCTAssertLessThanOrEqual(keep.count, 4 * 600)
        XCTAssertTrue(keep.contains(31_337))
        XCTAssertTrue(keep.contains(40_000))
        XCTAssertEqual(keep, keep.sorted())
        XCTAssertEqual(keep.first, 0)
        XCTAssertEqual(keep.last, n - 1)
    }

    final class ElementCounter: NSObject, XMLParserDelegate {
        var counts: [String: Int] = [:]
        var texts: [String] = []
        var current = ""
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            counts[name, default: 0] += 1
            current = ""
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { current += string }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "text" { texts.append(current) }
        }
    }

    func parse(_ svg: String) throws -> ElementCounter {
        let parser = XMLParser(data: Data(svg.utf8))
        let counter = ElementCounter()
        parser.delegate = counter
        XCTAssertTrue(parser.parse(), "SVG is not well-formed XML: \(String(describing: parser.parserError))")
        return counter
    }

    func testFigureIsWellFormedAndHoldsWhatWasDrawn() throws {
        let fig = try Figure(rows: 2, columns: 1, title: "A <test> & \"quotes\"", sharedX: true)
        let p0 = try fig.panel(0), p1 = try fig.panel(1)
        p0.add(.line(x: [1, 2, 3], y: [1, 4, 9], style: LineStyle(label: "squares", color: Palette.color(0))))
        p0.add(.line(x: [1, 2, 3], y: [1, .nan, 3], style: LineStyle(label: "gap", color: Palette.color(1))))
        p1.yScale = .log
        p1.add(.line(x: [1, 2, 3], y: [0.1, 1, 10], style: LineStyle(color: Palette.color(0))))
        p1.add(.horizontal(value: 2, style: LineStyle(label: "2/η", color: "#000000", dash: true)))
        let svg = fig.svg()
        let c = try parse(svg)
        XCTAssertEqual(c.counts["path"], 3)
        XCTAssertEqual(c.counts["clipPath"], 2)
        XCTAssertTrue(c.texts.contains("A <test> & \"quotes\""))
        XCTAssertTrue(c.texts.contains("2/η"))
        // The NaN splits the second line into two moves.
        XCTAssertTrue(svg.contains("M") && svg.components(separatedBy: "M").count >= 5)
    }

    func testScatterAndRegions() throws {
        let fig = try Figure()
        let p = try fig.panel(0)
        p.add(.regions(classes: [[1, 1, 2, 2], [3, 3, 3, 1]], x: (0, 4), y: (0, 2)))
        p.add(.scatter(x: [0.5, 1.5, 2.5, 3.5, 0.2], y: [0.5, 1.5, 0.5, 1.5, 1.8], classes: [1, 3, 2, 1, 3], size: 3, marker: .circle))
        let c = try parse(fig.svg())
        XCTAssertEqual(c.counts["circle"], 5 + 3)  // points, plus one legend dot per class
        // Region runs: row 0 has two runs, row 1 two; plus clip, background, panel, frame and legend rects.
        let regionRects = try parse(fig.svg()).counts["rect"]! - 5
        XCTAssertEqual(regionRects, 4)
    }

    func testMismatchedSeriesAndBadPanelAreErrors() throws {
        XCTAssertThrowsError(try Figure.checkSeries([1, 2, 3], [1, 2], "line")) { e in
            XCTAssertEqual((e as? TensorError)?.message, "line: x has 3 points, y has 2")
        }
        XCTAssertThrowsError(try Figure(rows: 2).panel(2))
        XCTAssertThrowsError(try Figure(rows: 0))
    }

    /// Decision regions of a linear model with known weights: class 2 where x > 0.
    func testDecisionGrid() throws {
        let lin = try Linear(weight: Tensor(shape: [2, 2], values: [-1, 1, 0, 0]), bias: nil)
        let grid = try DecisionGrid.classes(of: lin, x: (-1, 1), y: (-1, 1), resolution: 4)
        XCTAssertEqual(grid, Array(repeating: [1, 1, 2, 2], count: 4))
    }
}

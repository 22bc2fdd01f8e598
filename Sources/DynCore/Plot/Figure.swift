/// A figure: a grid of panels (rows x columns), drawn to SVG. Panels are numbered from 0 in
/// row-major order. With `sharedX`, panels in a column share one x range and only the bottom
/// one shows x tick labels (the stacked panels of the paper's Fig. 4).
public final class Figure {
    public var title: String?
    public let rows: Int
    public let columns: Int
    public var width: Double
    public var height: Double
    public var sharedX: Bool
    public private(set) var panels: [Panel]

    public init(rows: Int = 1, columns: Int = 1, width: Double? = nil, height: Double? = nil,
                title: String? = nil, sharedX: Bool = false) throws {
        guard (1...64).contains(rows), (1...64).contains(columns), rows * columns <= 64 else {
            throw TensorError("plot.figure: rows and cols must be >= 1 (at most 64 panels), got \(rows) x \(columns)")
        }
        self.rows = rows
        self.columns = columns
        self.width = width ?? Double(max(520, 460 * columns))
        self.height = height ?? Double(max(360, (rows == 1 ? 380 : 190) * rows))
        self.title = title
        self.sharedX = sharedX
        panels = (0..<rows * columns).map { _ in Panel() }
        guard self.width >= 100, self.height >= 100, self.width <= 20000, self.height <= 20000 else {
            throw TensorError("plot.figure: width and height must be between 100 and 20000 pixels")
        }
    }

    public func panel(_ i: Int) throws -> Panel {
        guard i >= 0 && i < panels.count else {
            throw TensorError("plot: panel \(i + 1) out of range (the figure has \(panels.count) panel\(panels.count == 1 ? "" : "s"))")
        }
        return panels[i]
    }
}

/// One set of axes with what is drawn in it.
public final class Panel {
    public var title: String?
    public var xLabel: String?
    public var yLabel: String?
    public var xScale: AxisScale = .linear
    public var yScale: AxisScale = .linear
    public var xLimits: (Double, Double)?
    public var yLimits: (Double, Double)?
    public var legend = true
    public private(set) var items: [PlotItem] = []
    /// A heat map fills the whole panel in place of lines and points (Heatmap.swift).
    public var heatmap: Heatmap?

    public init() {}

    public func add(_ item: PlotItem) { items.append(item) }

    /// Number of line series so far (for default colours).
    public var lineCount: Int { items.filter { if case .line = $0 { return true } else { return false } }.count }
}

/// Things a panel draws, back to front in the order added (regions are always drawn first).
public enum PlotItem {
    case line(x: [Double], y: [Double], style: LineStyle)
    /// Points coloured by 1-based class.
    case scatter(x: [Double], y: [Double], classes: [Int], size: Double, marker: Marker)
    /// A grid of 1-based classes over [x0, x1] x [y0, y1]; row 0 is the bottom.
    case regions(classes: [[Int]], x: (Double, Double), y: (Double, Double))
    case horizontal(value: Double, style: LineStyle)
    case vertical(value: Double, style: LineStyle)
    /// Vertical bars from lower[k] to upper[k] at x[k], with caps (the line through the centres
    /// is a separate `.line`).
    case errorBars(x: [Double], lower: [Double], upper: [Double], style: LineStyle)
}

public struct LineStyle {
    public var label: String?
    public var color: String
    public var dash: Bool
    public var width: Double
    /// Drawn at every point of a line (nil: none).
    public var marker: Marker?
    public var markerSize: Double
    /// False for markers (or error bars) without the connecting line.
    public var showLine: Bool

    public init(label: String? = nil, color: String, dash: Bool = false, width: Double = 1.5,
                marker: Marker? = nil, markerSize: Double = 3.5, showLine: Bool = true) {
        self.label = label
        self.color = color
        self.dash = dash
        self.width = width
        self.marker = marker
        self.markerSize = markerSize
        self.showLine = showLine
    }
}

extension Figure {
    /// Checks a line's data: equal lengths, at least one point.
    public static func checkSeries(_ x: [Double], _ y: [Double], _ op: String) throws {
        guard x.count == y.count else { throw TensorError("\(op): x has \(x.count) points, y has \(y.count)") }
        guard !x.isEmpty else { throw TensorError("\(op): no points") }
    }
}

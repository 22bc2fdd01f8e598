/// The shape drawn at a data point: the symbols of the `marker` option.
public enum Marker: String, CaseIterable, Sendable {
    case circle = "o", square = "s", triangle = "^", cross = "x", plus = "+"

    /// One SVG element centred on (x, y); `size` is the half-width in pixels. Crosses and plus
    /// signs are strokes, the others filled shapes with a thin white rim so overlapping points stay apart.
    func svg(x: Double, y: Double, size r: Double, color: String) -> String {
        switch self {
        case .circle:
            return "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"\(f(r))\" fill=\"\(color)\" stroke=\"#ffffff\" stroke-width=\"0.6\"/>"
        case .square:
            let s = r * 0.9
            return "<rect x=\"\(f(x - s))\" y=\"\(f(y - s))\" width=\"\(f(2 * s))\" height=\"\(f(2 * s))\" fill=\"\(color)\" stroke=\"#ffffff\" stroke-width=\"0.6\"/>"
        case .triangle:
            let h = r * 1.15
            return "<polygon points=\"\(f(x)),\(f(y - h)) \(f(x - h)),\(f(y + 0.8 * h)) \(f(x + h)),\(f(y + 0.8 * h))\" fill=\"\(color)\" stroke=\"#ffffff\" stroke-width=\"0.6\"/>"
        case .cross:
            return strokes([(x - r, y - r, x + r, y + r), (x - r, y + r, x + r, y - r)], color: color)
        case .plus:
            return strokes([(x - r, y, x + r, y), (x, y - r, x, y + r)], color: color)
        }
    }

    /// Two strokes grouped as one marker (a <g>, so that a marker is one element).
    private func strokes(_ segments: [(Double, Double, Double, Double)], color: String) -> String {
        "<g class=\"marker\" stroke=\"\(color)\" stroke-width=\"1.6\">"
            + segments.map { "<line x1=\"\(f($0.0))\" y1=\"\(f($0.1))\" x2=\"\(f($0.2))\" y2=\"\(f($0.3))\"/>" }.joined()
            + "</g>"
    }
}

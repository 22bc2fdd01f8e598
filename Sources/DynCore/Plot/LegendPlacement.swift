/// Where a panel's legend goes: the first corner (in this order) whose legend-sized rectangle
/// covers no data, else outside the panel, to its right. A legend that hides a curve's end or a
/// cluster of points misleads more than one that takes some width from the panel.
public enum LegendPlacement: CaseIterable, Equatable, Sendable {
    case topRight, topLeft, bottomRight, bottomLeft, outside

    /// `points` are data positions in pixels (lines sampled along their segments). A legend
    /// wider than half the panel is never put outside (the panel would shrink to nothing):
    /// it goes to the corner covering the fewest points.
    static func choose(points: [(Double, Double)], box: SVGRenderer.Box, width: Double, height: Double,
                       margin: Double = 6) -> LegendPlacement {
        let outsideFits = width + 14 <= (box.x1 - box.x0) / 2
        guard width + 2 * margin <= box.x1 - box.x0, height + 2 * margin <= box.y1 - box.y0 else { return outsideFits ? .outside : .topRight }
        let corners: [LegendPlacement] = [.topRight, .topLeft, .bottomRight, .bottomLeft]
        let counts = corners.map { corner -> Int in
            let (x0, y0) = corner.origin(box: box, width: width, height: height, margin: margin)
            // A point within a few pixels of the box counts too: a marker there would touch it.
            let pad = 3.0
            return points.reduce(0) { n, p in
                n + (p.0 >= x0 - pad && p.0 <= x0 + width + pad && p.1 >= y0 - pad && p.1 <= y0 + height + pad ? 1 : 0)
            }
        }
        let best = counts.min() ?? 0
        return best == 0 || !outsideFits ? corners[counts.firstIndex(of: best)!] : .outside
    }

    /// The legend's top-left corner; outside, it sits right of the panel's frame.
    func origin(box: SVGRenderer.Box, width: Double, height: Double, margin: Double = 6) -> (Double, Double) {
        switch self {
        case .topRight: return (box.x1 - width - margin, box.y0 + margin)
        case .topLeft: return (box.x0 + margin, box.y0 + margin)
        case .bottomRight: return (box.x1 - width - margin, box.y1 - height - margin)
        case .bottomLeft: return (box.x0 + margin, box.y1 - height - margin)
        case .outside: return (box.x1 + 8, box.y0)
        }
    }
}

/// Thins a long series for drawing: points are grouped by the pixel column they fall in, and
/// each column keeps its first, lowest, highest and last point in their original order, so
/// every spike survives while a 70,000-step series becomes a few thousand points.
public enum Decimation {
    /// Indices of the points to keep. `column(i)` gives point i's pixel column (nil: a gap,
    /// kept so that lines break there).
    public static func keep(count: Int, column: (Int) -> Int?, value: (Int) -> Double, limit: Int) -> [Int] {
        guard count > limit else { return Array(0..<count) }
        var kept: [Int] = []
        kept.reserveCapacity(limit)
        var current: Int? = nil
        var first = 0, low = 0, high = 0, last = 0
        func flush() {
            guard current != nil else { return }
            for i in Set([first, low, high, last]).sorted() { kept.append(i) }
        }
        for i in 0..<count {
            guard let c = column(i) else {
                flush(); current = nil
                kept.append(i)
                continue
            }
            if c != current {
                flush()
                current = c
                first = i; low = i; high = i; last = i
            } else {
                last = i
                if value(i) < value(low) { low = i }
                if value(i) > value(high) { high = i }
            }
        }
        flush()
        return kept
    }

    /// The pixel column of a pixel position, nil for none; positions far outside the panel
    /// (data beyond the axis limits) are clamped, since converting a huge Double to Int traps.
    public static func column(_ pixel: Double?) -> Int? {
        guard let p = pixel, p.isFinite else { return nil }
        return Int(Swift.max(-1e9, Swift.min(1e9, p)))
    }
}

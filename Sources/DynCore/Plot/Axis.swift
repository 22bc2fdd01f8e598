import Foundation

/// How data values map to one axis of a panel: linear, log10 (positive values only), or
/// symmetric log (sign(v) log10(1 + |v|/threshold), for signed values spanning decades, such as
/// F(t) - F(t-1)).
public enum AxisScale: Equatable, Sendable {
    case linear
    case log
    case symlog(threshold: Double)

    public static func parse(_ name: String) -> AxisScale? {
        switch name {
        case "linear": return .linear
        case "log": return .log
        case "symlog": return .symlog(threshold: 1e-6)
        default: return nil
        }
    }

    /// The transformed value, or nil when the scale cannot show it (non-positive on log, NaN).
    public func transform(_ v: Double) -> Double? {
        guard v.isFinite else { return nil }
        switch self {
        case .linear: return v
        case .log: return v > 0 ? Foundation.log10(v) : nil
        case .symlog(let t): return (v < 0 ? -1 : 1) * Foundation.log10(1 + Swift.abs(v) / t)
        }
    }

    public func inverse(_ u: Double) -> Double {
        switch self {
        case .linear: return u
        case .log: return Foundation.pow(10, u)
        case .symlog(let t): return (u < 0 ? -1 : 1) * t * (Foundation.pow(10, Swift.abs(u)) - 1)
        }
    }
}

/// A data range on a scale, mapped onto a pixel interval.
public struct Axis {
    public var scale: AxisScale
    /// Transformed bounds (in scale units).
    public var lower: Double
    public var upper: Double

    public init(scale: AxisScale, lower: Double, upper: Double) {
        self.scale = scale
        self.lower = lower
        self.upper = upper
    }

    /// An axis covering the values (data units), with a little padding.
    public static func fitting(_ values: [Double], scale: AxisScale, pad: Double = 0.04) -> Axis {
        let t = values.compactMap { scale.transform($0) }
        var lo = t.min() ?? 0, hi = t.max() ?? 1
        if lo == hi { lo -= 0.5; hi += 0.5 }
        // Padding in scale units, so that markers at the ends stay whole on log axes too.
        let p = (hi - lo) * pad
        lo -= p; hi += p
        return Axis(scale: scale, lower: lo, upper: hi)
    }

    /// Pixel position of a data value on [p0, p1] (p1 < p0 for a y axis), nil if not shown.
    /// Nil too when the arithmetic overflows (bounds near ±1e308 make the span infinite).
    public func pixel(_ v: Double, _ p0: Double, _ p1: Double) -> Double? {
        guard let u = scale.transform(v) else { return nil }
        let p = p0 + (u - lower) / (upper - lower) * (p1 - p0)
        return p.isFinite ? p : nil
    }

    /// Tick positions (data units) inside the axis.
    public func ticks(target: Int = 6) -> [Double] {
        switch scale {
        case .linear:
            return Axis.niceTicks(lower, upper, target: target)
        case .log:
            return logTicks(target: target).major
        case .symlog(let threshold):
            // 0 and ±10^e for the decades above the threshold, thinned to about `target`.
            let top = max(Swift.abs(scale.inverse(lower)), Swift.abs(scale.inverse(upper)))
            guard top > 0 else { return [0] }
            let e0 = Axis.decade(Foundation.ceil(Foundation.log10(threshold))), e1 = Axis.decade(Foundation.floor(Foundation.log10(top)))
            let decades = e1 >= e0 ? Array(e0...e1) : []
            let step = max(1, (2 * decades.count + target - 1) / max(target, 1))
            let kept = stride(from: decades.count - 1, through: 0, by: -step).map { Foundation.pow(10, Double(decades[$0])) }
            let values = ([0] + kept + kept.map { -$0 }).filter { v in
                guard let u = scale.transform(v) else { return false }
                return u >= lower - 1e-9 && u <= upper + 1e-9
            }
            return values.sorted()
        }
    }

    /// Unlabelled ticks between the labelled ones (log axes only: the 2..9 multiples of each
    /// decade, or the decades skipped when there are too many to label).
    public func minorTicks(target: Int = 6) -> [Double] {
        scale == .log ? logTicks(target: target).minor : []
    }

    /// Log-axis ticks: every decade (or every k-th when there are many) when three or more
    /// fall inside; otherwise 1-2-5 times each decade, then every integer multiple, and for a
    /// range narrower than that, plain linear ticks. So an axis always carries at least two labels.
    func logTicks(target: Int) -> (major: [Double], minor: [Double]) {
        let lo = Axis.decade(Foundation.floor(lower)) - 1, hi = Axis.decade(Foundation.ceil(upper)) + 1
        let inside = { (v: Double) in Foundation.log10(v) >= self.lower - 1e-9 && Foundation.log10(v) <= self.upper + 1e-9 }
        let multiples = { (mantissas: [Double]) in
            (lo...hi).flatMap { e in mantissas.map { $0 * Foundation.pow(10, Double(e)) } }.filter(inside)
        }
        let decades = (lo...hi).filter { inside(Foundation.pow(10, Double($0))) }
        if decades.count >= 3 {
            let step = max(1, (decades.count + target - 1) / max(target, 1))
            let major = decades.filter { $0 % step == 0 }.map { Foundation.pow(10, Double($0)) }
            let minor = step == 1 ? multiples([2, 3, 4, 5, 6, 7, 8, 9])
                                  : decades.filter { $0 % step != 0 }.map { Foundation.pow(10, Double($0)) }
            return (major, minor.count <= 200 ? minor : [])
        }
        let all = multiples([1, 2, 3, 4, 5, 6, 7, 8, 9])
        let oneTwoFive = multiples([1, 2, 5])
        if oneTwoFive.count >= 3 { return (oneTwoFive, all.filter { !oneTwoFive.contains($0) }) }
        if all.count >= 2 { return (all, []) }
        return (Axis.niceTicks(scale.inverse(lower), scale.inverse(upper), target: target).filter { $0 > 0 && inside($0) }, [])
    }

    /// 1, 2 or 5 times a power of ten, about `target` ticks between lo and hi.
    public static func niceTicks(_ lo: Double, _ hi: Double, target: Int) -> [Double] {
        guard hi > lo, lo.isFinite, hi.isFinite else { return [lo] }
        let raw = (hi - lo) / Double(max(target, 1))
        let magnitude = Foundation.pow(10, Foundation.floor(Foundation.log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        var ticks: [Double] = []
        var k = Foundation.ceil(lo / step - 1e-9)
        while k * step <= hi + step * 1e-9 {
            let v = k * step
            ticks.append(Swift.abs(v) < step * 1e-9 ? 0 : v)
            k += 1
        }
        return ticks
    }

    /// Tick label text: few digits, scientific for very large or small magnitudes.
    public static func label(_ v: Double) -> String {
        if v == 0 { return "0" }
        let a = Swift.abs(v)
        if a >= 1e5 || a < 1e-3 {
            let e = Axis.decade(Foundation.floor(Foundation.log10(a) + 1e-12))
            let m = v / Foundation.pow(10, Double(e))
            let ms = String(format: "%.3g", m)
            return ms == "1" ? "1e\(e)" : ms == "-1" ? "-1e\(e)" : "\(ms)e\(e)"
        }
        return String(format: "%.6g", v)
    }
}

extension Axis {
    /// A power of ten as an Int, clamped to the decades a double has (an axis bound can be
    /// infinite, e.g. symlog of 1e308, and converting inf or NaN to Int traps).
    static func decade(_ e: Double) -> Int {
        e.isNaN ? 0 : Int(Swift.min(Swift.max(e, -400), 400))
    }
}

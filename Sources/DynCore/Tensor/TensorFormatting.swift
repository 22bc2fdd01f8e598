import Foundation

/// Text form of a tensor, in the style of numpy and Torch:
///
///     tensor([[ 1.5000, -2.0000],
///             [ 0.2500,  3.0000]], shape=(2, 2), dtype=float64)
///
/// Tensors with more than `threshold` elements show only `edgeItems` entries at each end of
/// every dimension, with "..." between.
public struct TensorFormatter {
    public var threshold = 1000
    public var edgeItems = 3
    public var precision = 4

    public init() {}

    public func format(_ t: Tensor) -> String {
        let elide = t.count > threshold
        let shown = shownValues(t, elide: elide)
        let style = NumberStyle(shown, precision: precision)
        let width = shown.map { style.text($0).count }.max() ?? 1
        let prefix = "tensor("
        var body: String
        if t.rank == 0 {
            body = style.text(t.value(at: []))
        } else if t.count == 0 {
            body = "[]"  // numpy and Torch print every empty tensor this way; the shape tells the rest
        } else {
            body = block(t, dim: 0, index: [], indent: prefix.count, elide: elide, style: style, width: width)
        }
        let shape = t.shape.count == 1 ? "(\(t.shape[0]),)" : "(" + t.shape.map(String.init).joined(separator: ", ") + ")"
        body += ", shape=\(shape), dtype=\(t.dtype.rawValue)"
        return prefix + body + ")"
    }

    /// Positions shown along a dimension of size n.
    func positions(_ n: Int, elide: Bool) -> [Int?] {
        if !elide || n <= 2 * edgeItems { return (0..<n).map { $0 } }
        return (0..<edgeItems).map { $0 } + [nil] + (n - edgeItems..<n).map { $0 }
    }

    func shownValues(_ t: Tensor, elide: Bool) -> [Double] {
        if !elide { return t.toArray() }
        var out: [Double] = []
        func walk(_ dim: Int, _ index: [Int]) {
            if dim == t.rank { out.append(t.value(at: index)); return }
            for p in positions(t.shape[dim], elide: true) { if let p { walk(dim + 1, index + [p]) } }
        }
        walk(0, [])
        return out
    }

    func block(_ t: Tensor, dim: Int, index: [Int], indent: Int, elide: Bool, style: NumberStyle, width: Int) -> String {
        let ps = positions(t.shape[dim], elide: elide)
        if dim == t.rank - 1 {
            let items = ps.map { p -> String in
                guard let p else { return "..." }
                let s = style.text(t.value(at: index + [p]))
                return String(repeating: " ", count: max(0, width - s.count)) + s
            }
            return "[" + items.joined(separator: ", ") + "]"
        }
        let separator = "," + String(repeating: "\n", count: t.rank - dim - 1) + String(repeating: " ", count: indent + 1)
        let rows = ps.map { p -> String in
            guard let p else { return "..." }
            return block(t, dim: dim + 1, index: index + [p], indent: indent + 1, elide: elide, style: style, width: width)
        }
        return "[" + rows.joined(separator: separator) + "]"
    }
}

/// How numbers are written: integers as "3.", otherwise fixed or scientific notation chosen from
/// the range of the finite non-zero magnitudes shown, by numpy's and Torch's rule: scientific when
/// the largest is at least 1e8, the smallest below 1e-4, or they span more than three decades.
struct NumberStyle {
    enum Kind { case integer, fixed, scientific }
    let kind: Kind
    let precision: Int

    init(_ values: [Double], precision: Int) {
        self.precision = precision
        let finite = values.filter { $0.isFinite }
        let magnitudes = finite.map { Swift.abs($0) }.filter { $0 > 0 }
        if finite.allSatisfy({ $0 == $0.rounded() && Swift.abs($0) < 1e8 }) {
            kind = .integer
        } else if let lo = magnitudes.min(), let hi = magnitudes.max(), hi >= 1e8 || lo < 1e-4 || hi / lo > 1e3 {
            kind = .scientific
        } else {
            kind = .fixed
        }
    }

    func text(_ v: Double) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        switch kind {
        case .integer: return String(format: "%.0f.", v)
        case .fixed: return String(format: "%.\(precision)f", v)
        case .scientific: return String(format: "%.\(precision)e", v)
        }
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String { TensorFormatter().format(self) }
}

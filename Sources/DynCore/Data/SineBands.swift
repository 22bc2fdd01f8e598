import Foundation

/// Points in the box [-1, 1] x [-1, 1] labelled by bands between C-1 vertically shifted sine
/// curves
///     b_k(x1) = -1 + 2k/C + amplitude * sin(pi * frequency * (x1 + 1)),   k = 1..C-1
/// (frequency counts full periods across the box). A point is in class c (1..C) when
/// b_{c-1}(x1) <= x2 < b_c(x1), with b_0 = -inf and b_C = +inf, that is
///     c = clamp(floor(C * (x2 + 1 - amplitude * sin(pi * frequency * (x1 + 1))) / 2) + 1, 1, C).
/// Sampling: candidates (x1, x2) are drawn uniformly (x1 first, then x2, each one uniform()
/// from `Generator(seed:)`); a candidate whose class already has per_class points is rejected.
/// An accepted point is then moved by noise * (z1, z2) with two normal draws (only when
/// noise > 0), so noise blurs the bands without changing labels. Rows come class by class,
/// each class in acceptance order.
public enum SineBands {
    public static func classOf(_ x1: Double, _ x2: Double, classes: Int, amplitude: Double, frequency: Double) -> Int {
        let h = x2 + 1 - amplitude * Foundation.sin(Double.pi * frequency * (x1 + 1))
        let c = Int((Double(classes) * h / 2).rounded(.down)) + 1
        return min(classes, max(1, c))
    }

    public static func make(classes: Int = 3, perClass: Int = 100, amplitude: Double = 0.25,
                            frequency: Double = 1, noise: Double = 0, seed: UInt64 = 0) throws -> LabeledData {
        let f = "data.sine"
        guard classes >= 1 else { throw TensorError("\(f): classes must be >= 1, got \(classes)") }
        guard perClass >= 1 else { throw TensorError("\(f): per_class must be >= 1, got \(perClass)") }
        guard amplitude.isFinite, amplitude >= 0, amplitude <= 100 else { throw TensorError("\(f): amplitude must be a number in [0, 100], got \(amplitude)") }
        guard frequency.isFinite else { throw TensorError("\(f): frequency must be finite, got \(frequency)") }
        guard noise.isFinite, noise >= 0 else { throw TensorError("\(f): noise must be a finite number >= 0, got \(noise)") }
        var g = Generator(seed: seed)
        var points = [[(Double, Double)]](repeating: [], count: classes)
        var remaining = classes * perClass
        while remaining > 0 {
            let x1 = 2 * g.uniform() - 1, x2 = 2 * g.uniform() - 1
            let c = classOf(x1, x2, classes: classes, amplitude: amplitude, frequency: frequency)
            guard points[c - 1].count < perClass else { continue }
            if noise > 0 {
                let z1 = g.normal(), z2 = g.normal()
                points[c - 1].append((x1 + noise * z1, x2 + noise * z2))
            } else {
                points[c - 1].append((x1, x2))
            }
            remaining -= 1
        }
        let n = classes * perClass
        let x = try Tensor(uninitialized: [n, 2]), y = try Tensor(uninitialized: [n])
        let px = x.pointer(Double.self), py = y.pointer(Double.self)
        var row = 0
        for (c, list) in points.enumerated() {
            for (a, b) in list {
                px[2 * row] = a
                px[2 * row + 1] = b
                py[row] = Double(c + 1)
                row += 1
            }
        }
        return LabeledData(x: x, y: y)
    }
}

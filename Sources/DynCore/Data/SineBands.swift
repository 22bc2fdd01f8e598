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
        // Clamped while still a Double: converting a huge or NaN value to Int would trap.
        let c = (Double(classes) * h / 2).rounded(.down) + 1
        return c >= Double(classes) ? classes : c >= 1 ? Int(c) : 1
    }

    public static func make(classes: Int = 3, perClass: Int = 100, amplitude: Double = 0.25,
                            frequency: Double = 1, noise: Double = 0, seed: UInt64 = 0) throws -> LabeledData {
        let f = "data.sine"
        guard classes >= 1 else { throw TensorError("\(f): classes must be >= 1, got \(classes)") }
        guard perClass >= 1 else { throw TensorError("\(f): per_class must be >= 1, got \(perClass)") }
        guard amplitude.isFinite, amplitude >= 0, amplitude <= 100 else { throw TensorError("\(f): amplitude must be a number in [0, 100], got \(amplitude)") }
        // sin's argument goes up to 2 pi frequency: it must stay finite (sin(inf) is NaN).
        guard frequency.isFinite, abs(frequency) <= 1e307 else { throw TensorError("\(f): frequency must be a number in [-1e307, 1e307], got \(frequency)") }
        guard noise.isFinite, noise >= 0 else { throw TensorError("\(f): noise must be a finite number >= 0, got \(noise)") }
        let (n, overflow) = classes.multipliedReportingOverflow(by: perClass)
        guard !overflow else { throw TensorError("\(f): classes x per_class (\(classes) x \(perClass)) is too large") }
        // The output is allocated first (the checked path), and points are written straight
        // into their class's block of rows, in acceptance order.
        let x = try Tensor(uninitialized: [n, 2]), y = try Tensor(uninitialized: [n])
        let px = x.pointer(Double.self), py = y.pointer(Double.self)
        var g = Generator(seed: seed)
        var taken = [Int](repeating: 0, count: classes)
        var remaining = n
        while remaining > 0 {
            let x1 = 2 * g.uniform() - 1, x2 = 2 * g.uniform() - 1
            let c = classOf(x1, x2, classes: classes, amplitude: amplitude, frequency: frequency)
            guard taken[c - 1] < perClass else { continue }
            let row = (c - 1) * perClass + taken[c - 1]
            if noise > 0 {
                let z1 = g.normal(), z2 = g.normal()
                px[2 * row] = x1 + noise * z1
                px[2 * row + 1] = x2 + noise * z2
            } else {
                px[2 * row] = x1
                px[2 * row + 1] = x2
            }
            py[row] = Double(c)
            taken[c - 1] += 1
            remaining -= 1
        }
        return LabeledData(x: x, y: y)
    }
}

import Foundation

/// The paper's spiral arms (the data of its Fig. 4), built as its reference code builds them:
/// for class j = 0..C-1 (label j+1) and N points per class,
///     r = linspace(0, 1, N)
///     t = linspace(2 pi j / C, 2 pi j / C + revolutions * pi, N) + noise * z,  z ~ N(0, 1)
///     x = (r cos t, r sin t)
/// Rows come class by class. The normal draws z come from `Generator(seed:)`, N per class in
/// class order, so a seed gives the same data everywhere; numpy's random stream cannot be
/// reproduced, so the noise differs from the paper's script while r and the noiseless angles
/// are identical to numpy's linspace.
public enum Spiral {
    public static func make(classes: Int = 3, perClass: Int = 100, revolutions: Double = 4,
                            noise: Double = 0.2, seed: UInt64 = 0) throws -> LabeledData {
        guard classes >= 1 else { throw TensorError("data.spiral: classes must be >= 1, got \(classes)") }
        guard perClass >= 1 else { throw TensorError("data.spiral: per_class must be >= 1, got \(perClass)") }
        guard revolutions.isFinite else { throw TensorError("data.spiral: revolutions must be finite, got \(revolutions)") }
        guard noise.isFinite, noise >= 0 else { throw TensorError("data.spiral: noise must be a finite number >= 0, got \(noise)") }
        var g = Generator(seed: seed)
        let (n, overflow) = classes.multipliedReportingOverflow(by: perClass)
        guard !overflow else { throw TensorError("data.spiral: classes x per_class (\(classes) x \(perClass)) is too large") }
        let x = try Tensor(uninitialized: [n, 2]), y = try Tensor(uninitialized: [n])
        let px = x.pointer(Double.self), py = y.pointer(Double.self)
        let r = Tensor.linspaceValues(0, 1, perClass)
        for j in 0..<classes {
            let start = 2 * Double.pi / Double(classes) * Double(j)
            let t = Tensor.linspaceValues(start, start + revolutions * Double.pi, perClass)
            for i in 0..<perClass {
                let angle = t[i] + g.normal() * noise
                let row = j * perClass + i
                px[2 * row] = r[i] * Foundation.cos(angle)
                px[2 * row + 1] = r[i] * Foundation.sin(angle)
                py[row] = Double(j + 1)
            }
        }
        return LabeledData(x: x, y: y)
    }
}

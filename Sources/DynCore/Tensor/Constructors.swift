/// numpy-style constructors.
extension Tensor {
    public static func eye(_ n: Int, dtype: DType = .float64) -> Tensor {
        let t = Tensor(zeros: [n, n], dtype: dtype)
        for i in 0..<n { t.setValue(1, at: [i, i]) }
        return t
    }

    /// a, a+step, ... while below b (above b for a negative step), as numpy.arange.
    public static func arange(_ a: Double, _ b: Double, step: Double = 1, dtype: DType = .float64) throws -> Tensor {
        guard step != 0, step.isFinite, a.isFinite, b.isFinite else {
            throw TensorError("arange: step must be a finite non-zero number and the bounds finite")
        }
        let n = max(0, Int((((b - a) / step)).rounded(.up)))
        return Tensor(shape: [n], values: (0..<n).map { a + Double($0) * step }, dtype: dtype)
    }

    /// n evenly spaced points from a to b inclusive (numpy.linspace): a + i*(b-a)/(n-1), with
    /// the last point exactly b.
    public static func linspace(_ a: Double, _ b: Double, _ n: Int, dtype: DType = .float64) throws -> Tensor {
        guard n >= 0 else { throw TensorError("linspace: number of points must be >= 0, got \(n)") }
        return Tensor(shape: [n], values: linspaceValues(a, b, n), dtype: dtype)
    }

    public static func linspaceValues(_ a: Double, _ b: Double, _ n: Int) -> [Double] {
        if n == 1 { return [a] }
        let step = (b - a) / Double(n - 1)
        return (0..<n).map { $0 == n - 1 ? b : a + Double($0) * step }
    }
}

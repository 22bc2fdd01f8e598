/// numpy-style constructors.
extension Tensor {
    public static func eye(_ n: Int, dtype: DType = .float64) throws -> Tensor {
        let t = try Tensor(zeros: [n, n], dtype: dtype)
        for i in 0..<n { t.setValue(1, at: [i, i]) }
        return t
    }

    /// a, a+step, ... while below b (above b for a negative step), as numpy.arange.
    public static func arange(_ a: Double, _ b: Double, step: Double = 1, dtype: DType = .float64) throws -> Tensor {
        guard step != 0, step.isFinite, a.isFinite, b.isFinite else {
            throw TensorError("arange: step must be a finite non-zero number and the bounds finite")
        }
        let length = ((b - a) / step).rounded(.up)
        guard length < 1e15 else { throw TensorError("arange: \(length) elements is too many") }
        let n = length > 0 ? Int(length) : 0
        try checkedCount([n], dtype, "arange")
        // numpy's rule: element i is a + i * delta with delta = (a + step) - a, which can
        // differ from step in the last bit.
        let delta = (a + step) - a
        return try vector(n, dtype: dtype) { i in i == 0 ? a : i == 1 ? a + step : a + Double(i) * delta }
    }

    /// A 1-D tensor of n elements, element i being value(i): allocated first (the checked
    /// path) and written in place, so a huge n is an error, not a Swift array that traps.
    static func vector(_ n: Int, dtype: DType, _ value: (Int) -> Double) throws -> Tensor {
        let t = try Tensor(uninitialized: [n], dtype: dtype)
        switch dtype {
        case .float64:
            let p = t.pointer(Double.self)
            for i in 0..<n { p[i] = value(i) }
        case .float32:
            let p = t.pointer(Float.self)
            for i in 0..<n { p[i] = Float(value(i)) }
        }
        return t
    }

    /// n evenly spaced points from a to b inclusive (numpy.linspace): a + i*(b-a)/(n-1), with
    /// the last point exactly b.
    public static func linspace(_ a: Double, _ b: Double, _ n: Int, dtype: DType = .float64) throws -> Tensor {
        guard n >= 0 else { throw TensorError("linspace: number of points must be >= 0, got \(n)") }
        try checkedCount([n], dtype, "linspace")
        let step = (b - a) / Double(max(n - 1, 1))
        return try vector(n, dtype: dtype) { i in i == n - 1 && n > 1 ? b : a + Double(i) * step }
    }

    public static func linspaceValues(_ a: Double, _ b: Double, _ n: Int) -> [Double] {
        if n == 1 { return [a] }
        let step = (b - a) / Double(n - 1)
        return (0..<n).map { $0 == n - 1 ? b : a + Double($0) * step }
    }
}

/// The orthonormal vectors a Lanczos run keeps (for full reorthogonalization and Ritz
/// vectors). Their number times the dimension is set by the script (`iters` times the parameter
/// count), so each vector is a tensor allocation, checked and accounted like any other, instead
/// of a Swift array that would trap when memory runs out.
struct KrylovBasis {
    let dimension: Int
    private var vectors: [Tensor] = []

    init(dimension: Int) { self.dimension = dimension }

    var count: Int { vectors.count }

    private func pointer(_ j: Int) -> UnsafeMutablePointer<Double> { vectors[j].pointer(Double.self) }

    /// Appends v / divisor (a division per element, as `v.map { $0 / divisor }` does).
    mutating func append(_ v: [Double], dividedBy divisor: Double = 1) throws {
        let t = try Tensor(uninitialized: [dimension])
        let p = t.pointer(Double.self)
        for i in 0..<dimension { p[i] = divisor == 1 ? v[i] : v[i] / divisor }
        vectors.append(t)
    }

    /// Copies vector j into v (the operator takes Swift arrays).
    func copy(_ j: Int, into v: inout [Double]) {
        let p = pointer(j)
        for i in 0..<dimension { v[i] = p[i] }
    }

    /// q_j . w, summed in index order (as `Lanczos.dot`).
    func dot(_ j: Int, _ w: [Double]) -> Double {
        let p = pointer(j)
        var s = 0.0
        for i in 0..<dimension { s += p[i] * w[i] }
        return s
    }

    /// Two passes of classical Gram-Schmidt of w against every vector.
    func orthogonalize(_ w: inout [Double]) {
        for _ in 0..<2 {
            for j in 0..<vectors.count {
                let c = dot(j, w)
                let p = pointer(j)
                for i in 0..<dimension { w[i] -= c * p[i] }
            }
        }
    }

    /// sum_r coefficient(r) q_r.
    func combination(_ coefficient: (Int) -> Double) -> [Double] {
        var y = [Double](repeating: 0, count: dimension)
        for r in 0..<vectors.count {
            let s = coefficient(r), p = pointer(r)
            for i in 0..<dimension { y[i] += s * p[i] }
        }
        return y
    }
}

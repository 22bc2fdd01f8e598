/// Recorded reductions, products and softmaxes. A full reduction gives a 0-d tensor here (a
/// number would leave the tape).
extension Tape {
    public func reduceAll(_ op: ReduceOp, _ a: Tensor) throws -> Tensor {
        let value = try a.reduceAll(op)
        let out = try Tensor(shape: [], values: [value], dtype: a.dtype)
        // max/min send the gradient to the first extreme position, as the dimension form does.
        let position = op == .max || op == .min ? try a.reshape([a.count]).reduce(op, dim: 0).indices[0] : 0
        return record(out, inputs: [a], saving: []) { g in
            switch op {
            case .sum: return [try g.expanded(to: a.shape)]
            case .mean: return [try Tensor.binary(.div, g, scalar: Double(a.count)).expanded(to: a.shape)]
            case .max, .min: return [try g.scatteredAdd(into: a.shape, at: [position])]
            }
        }
    }

    /// Along `dim` (removed); for max/min also the 0-based positions.
    public func reduce(_ op: ReduceOp, _ a: Tensor, dim: Int) throws -> (values: Tensor, indices: [Int]) {
        let (values, positions) = try a.reduce(op, dim: dim)
        let out = record(values, inputs: [a], saving: []) { g in
            let spread = try g.unsqueezed(dim)
            switch op {
            case .sum: return [try spread.expanded(to: a.shape)]
            case .mean: return [try Tensor.binary(.div, spread, scalar: Double(a.shape[dim])).expanded(to: a.shape)]
            case .max, .min:
                return [try g.contiguous().scatteredAdd(into: a.shape, at: Tape.lanePositions(a.shape, dim: dim, positions))]
            }
        }
        return (out, positions)
    }

    /// Row-major positions in `shape` of the element chosen in each lane along `dim` (lanes in
    /// row-major order of the reduced shape).
    static func lanePositions(_ shape: [Int], dim: Int, _ chosen: [Int]) -> [Int] {
        let inner = shape[(dim + 1)...].reduce(1, *), n = shape[dim]
        return chosen.enumerated().map { lane, p in
            (lane / inner) * n * inner + p * inner + lane % inner
        }
    }

    public func matmul(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        let out = try Tensor.matmul(a, b)
        return record(out, inputs: [a, b], saving: [a, b]) { g in
            // Vectors as a row (left) or a column (right) make every case a matrix product.
            let k = a.shape[a.rank - 1]
            let a2 = try a.reshape(a.rank == 1 ? [1, k] : a.shape), b2 = try b.reshape(b.rank == 1 ? [k, 1] : b.shape)
            let g2 = try g.reshape([a2.shape[0], b2.shape[1]])
            let ga = try Tensor.matmul(g2, try b2.t()).reshape(a.shape)
            let gb = try Tensor.matmul(try a2.t(), g2).reshape(b.shape)
            return [try ga.converted(to: a.dtype), try gb.converted(to: b.dtype)]
        }
    }

    public func dot(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        let out = try Tensor(shape: [], values: [try a.dot(b)], dtype: DType.promote(a.dtype, b.dtype))
        return record(out, inputs: [a, b], saving: [a, b]) { g in
            let s = try g.item()
            return [try Tensor.binary(.mul, b, scalar: s).reshape(a.shape).converted(to: a.dtype),
                    try Tensor.binary(.mul, a, scalar: s).reshape(b.shape).converted(to: b.dtype)]
        }
    }

    /// The Euclidean norm of all elements: gradient x / |x| (NaN at x = 0, where it has none).
    public func norm(_ a: Tensor) throws -> Tensor {
        let out = try Tensor(shape: [], values: [a.norm()], dtype: a.dtype)
        return record(out, inputs: [a], saving: [a]) { g in
            [try Tensor.binary(.mul, a, scalar: try g.item() / out.item())]
        }
    }

    public func softmax(_ a: Tensor, dim: Int, log: Bool) throws -> Tensor {
        if log, dim == a.rank - 1, a.count > 0 {
            // Along the last dimension the forward keeps the probabilities: no exp in the backward.
            let (out, probabilities) = try a.logSoftmaxLast()
            try SoftmaxMemo.active?.store(a, dim: dim, out)
            return record(out, inputs: [a], saving: []) { g in
                [try Tape.logSoftmaxLastBackward(try g.converted(to: out.dtype).contiguous(), probabilities)]
            }
        }
        let out = log ? try a.logSoftmax(dim: dim) : try a.softmax(dim: dim)
        return record(out, inputs: [a], saving: []) { g in
            if log {
                // g - softmax * sum(g) along the lane.
                let total = try g.reduce(.sum, dim: dim).values.unsqueezed(dim)
                return [try Tensor.binary(.sub, g, try Tensor.binary(.mul, try out.map(.exp), total))]
            }
            // y * (g - sum(g * y)) along the lane.
            let total = try Tensor.binary(.mul, g, out).reduce(.sum, dim: dim).values.unsqueezed(dim)
            return [try Tensor.binary(.mul, out, try Tensor.binary(.sub, g, total))]
        }
    }

    /// g - p * sum(g) along the last dimension (p the probabilities), in one pass over
    /// contiguous lanes.
    static func logSoftmaxLastBackward(_ g: Tensor, _ y: Tensor) throws -> Tensor {
        let out = try Tensor(uninitialized: y.shape, dtype: y.dtype)
        let n = y.shape.last ?? 1
        let lanes = n == 0 ? 0 : y.count / n
        func run<T: TensorScalar>(_ gp: UnsafeMutablePointer<T>, _ yp: UnsafeMutablePointer<T>, _ op: UnsafeMutablePointer<T>) {
            for r in 0..<lanes {
                let gr = gp + r * n, yr = yp + r * n, or = op + r * n
                var total: T = 0
                for j in 0..<n { total += gr[j] }
                for j in 0..<n { or[j] = gr[j] - yr[j] * total }
            }
        }
        switch y.dtype {
        case .float64: run(g.pointer(Double.self), y.pointer(Double.self), out.pointer(Double.self))
        case .float32: run(g.pointer(Float.self), y.pointer(Float.self), out.pointer(Float.self))
        }
        return out
    }

    /// Population standard deviation, of all elements (0-d) or along `dim`:
    /// d std / dx = (x - mean) / (n std).
    public func std(_ a: Tensor, dim: Int?) throws -> Tensor {
        let out = try dim.map { try a.std(dim: $0) } ?? Tensor(shape: [], values: [a.std()], dtype: a.dtype)
        return record(out, inputs: [a], saving: [a]) { g in
            let n = Double(dim.map { a.shape[$0] } ?? a.count)
            let mean: Tensor, scale: Tensor
            if let dim {
                mean = try a.reduce(.mean, dim: dim).values.unsqueezed(dim)
                scale = try Tensor.binary(.div, g, try Tensor.binary(.mul, out, scalar: n)).unsqueezed(dim)
            } else {
                mean = try Tensor(shape: [], values: [try a.reduceAll(.mean)], dtype: a.dtype)
                scale = try Tensor.binary(.div, g, try Tensor.binary(.mul, out, scalar: n))
            }
            return [try Tensor.binary(.mul, try Tensor.binary(.sub, a, mean), scale)]
        }
    }
}

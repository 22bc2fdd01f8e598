/// Shape bookkeeping shared by the backward rules.
extension Tensor {
    /// Sums a broadcast gradient back to `shape` (the reverse of numpy broadcasting), in self's dtype.
    func summed(to target: [Int]) throws -> Tensor {
        if shape == target { return self }
        var r = self
        while r.rank > target.count { r = try r.reduce(.sum, dim: 0).values }
        for d in 0..<target.count where target[d] == 1 && r.shape[d] != 1 {
            r = try r.reduce(.sum, dim: d).values.unsqueezed(d)
        }
        return r
    }

    /// A size-1 dimension inserted at `dim` (the one a reduction along `dim` removed).
    func unsqueezed(_ dim: Int) throws -> Tensor {
        var s = shape
        s.insert(1, at: dim)
        return try reshape(s)
    }

    /// A contiguous copy of self broadcast to `target`.
    func expanded(to target: [Int]) throws -> Tensor {
        try broadcast(to: target, "autograd").contiguous()
    }

    /// Zeros of `shape` with self's values added at row-major positions `positions` (one per
    /// element of self, in self's row-major order): the backward of every gather-like read.
    func scatteredAdd(into shape: [Int], at positions: [Int]) throws -> Tensor {
        let out = try Tensor(zeros: shape, dtype: dtype)
        // A rule handing a wrong gradient shape must be an error, never a write out of bounds.
        guard positions.count == count, positions.allSatisfy({ $0 >= 0 && $0 < out.count }) else {
            throw TensorError("autograd: internal error: \(count) gradient values for \(positions.count) positions in shape \(shapeText(shape))")
        }
        let src = try contiguous()
        func add<T: TensorScalar>(_ from: UnsafeMutablePointer<T>, _ to: UnsafeMutablePointer<T>) {
            for (k, p) in positions.enumerated() { to[p] = to[p] + from[k] }
        }
        switch dtype {
        case .float64: add(src.pointer(Double.self), out.pointer(Double.self))
        case .float32: add(src.pointer(Float.self), out.pointer(Float.self))
        }
        return out
    }
}

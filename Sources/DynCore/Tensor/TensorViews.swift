/// Views share storage with their source; `reshape` and `index` copy when they must.
/// All dimension and position arguments here are 0-based; the Lua layer converts.
extension Tensor {
    func checkDim(_ d: Int, _ op: String) throws {
        guard d >= 0 && d < rank else {
            throw TensorError("\(op): dimension \(d + 1) out of range for a \(rank)-D tensor")
        }
    }

    /// Resolves one -1 entry and checks that the element count is kept.
    func resolveShape(_ requested: [Int], _ op: String) throws -> [Int] {
        var shape = requested
        let unknown = shape.indices.filter { shape[$0] == -1 }
        guard unknown.count <= 1, shape.allSatisfy({ $0 >= 0 || $0 == -1 }) else {
            throw TensorError("\(op): invalid shape \(shapeText(requested))")
        }
        if let u = unknown.first {
            var without = shape
            without.remove(at: u)
            let known = try Tensor.checkedCount(without, dtype, op)
            guard known > 0, count % known == 0 else {
                throw TensorError("\(op): cannot infer -1 in \(shapeText(requested)) for \(count) elements")
            }
            shape[u] = count / known
        }
        let n = try Tensor.checkedCount(shape, dtype, op)
        guard n == count else {
            throw TensorError("\(op): shape \(shapeText(requested)) has \(n) elements, tensor of shape \(shapeText(self.shape)) has \(count)")
        }
        return shape
    }

    /// A view with a new shape; requires contiguous memory.
    public func view(_ requested: [Int]) throws -> Tensor {
        let shape = try resolveShape(requested, "view")
        guard isContiguous else {
            throw TensorError("view: tensor is not contiguous; use reshape (which copies) or contiguous()")
        }
        return Tensor(storage: storage, shape: shape, strides: Tensor.contiguousStrides(shape), offset: offset)
    }

    /// Like view, but copies a non-contiguous tensor first.
    public func reshape(_ requested: [Int]) throws -> Tensor {
        let shape = try resolveShape(requested, "reshape")
        return try (isContiguous ? self : contiguous()).view(shape)
    }

    public func transpose(_ d1: Int, _ d2: Int) throws -> Tensor {
        try checkDim(d1, "transpose")
        try checkDim(d2, "transpose")
        var shape = self.shape, strides = self.strides
        shape.swapAt(d1, d2)
        strides.swapAt(d1, d2)
        return Tensor(storage: storage, shape: shape, strides: strides, offset: offset)
    }

    /// Matrix transpose; a 1-D tensor is returned as is.
    public func t() throws -> Tensor {
        guard rank <= 2 else { throw TensorError("t: expected a 1-D or 2-D tensor, got \(rank)-D; use transpose(d1, d2)") }
        return rank < 2 ? self : try transpose(0, 1)
    }

    public func narrow(_ dim: Int, start: Int, length: Int) throws -> Tensor {
        try checkDim(dim, "narrow")
        // Written so that no sum can overflow, whatever the caller passed.
        guard start >= 0, length >= 0, start <= shape[dim], length <= shape[dim] - start else {
            throw TensorError("narrow: range \(start &+ 1)..\(start &+ length) out of bounds for dimension \(dim + 1) of size \(shape[dim])")
        }
        var shape = self.shape
        shape[dim] = length
        return Tensor(storage: storage, shape: shape, strides: strides, offset: offset + start * strides[dim])
    }

    /// The slice at position i of dimension dim, with that dimension removed.
    public func select(_ dim: Int, _ i: Int) throws -> Tensor {
        try checkDim(dim, "select")
        guard i >= 0 && i < shape[dim] else {
            throw TensorError("select: index \(i &+ 1) out of range for dimension \(dim + 1) of size \(shape[dim])")
        }
        var shape = self.shape, strides = self.strides
        shape.remove(at: dim)
        strides.remove(at: dim)
        return Tensor(storage: storage, shape: shape, strides: strides, offset: offset + i * self.strides[dim])
    }

    /// Copies the slices at the given positions of `dim` (gather), in that order.
    public func index(_ dim: Int, _ positions: [Int]) throws -> Tensor {
        try checkDim(dim, "index")
        for p in positions where p < 0 || p >= shape[dim] {
            throw TensorError("index: index \(p &+ 1) out of range for dimension \(dim + 1) of size \(shape[dim])")
        }
        var outShape = shape
        outShape[dim] = positions.count
        try Tensor.checkedCount(outShape, dtype, "index")
        let out = try Tensor(uninitialized: outShape, dtype: dtype)
        // Blocks of `inner` elements copied from a contiguous source: one pass, no view per position.
        let src = try contiguous()
        let inner = shape[(dim + 1)...].reduce(1, *), outer = shape[..<dim].reduce(1, *), size = shape[dim]
        func copy<T: TensorScalar>(_ from: UnsafeMutablePointer<T>, _ to: UnsafeMutablePointer<T>) {
            var dst = to
            if inner == 1 {  // picking single elements (w:index(1, labels)): no copy call each
                for o in 0..<outer {
                    for p in positions { dst.pointee = from[o * size + p]; dst += 1 }
                }
                return
            }
            for o in 0..<outer {
                for p in positions {
                    dst.update(from: from + (o * size + p) * inner, count: inner)
                    dst += inner
                }
            }
        }
        switch dtype {
        case .float64: copy(src.pointer(Double.self), out.pointer(Double.self))
        case .float32: copy(src.pointer(Float.self), out.pointer(Float.self))
        }
        return out
    }

    /// The gradient of `index(dim, positions)`: g (the selection's shape) added into zeros of
    /// this tensor's shape at the selected positions, in g's row-major order.
    public func indexAdded(_ dim: Int, _ positions: [Int], from g: Tensor) throws -> Tensor {
        var gShape = shape
        gShape[dim] = positions.count
        guard g.shape == gShape, positions.allSatisfy({ $0 >= 0 && $0 < shape[dim] }) else {
            throw TensorError("index: internal error: gradient of shape \(shapeText(g.shape)) for a selection of shape \(shapeText(gShape))")
        }
        let out = try Tensor(zeros: shape, dtype: g.dtype)
        let src = try g.contiguous()
        let inner = shape[(dim + 1)...].reduce(1, *), outer = shape[..<dim].reduce(1, *), size = shape[dim]
        func add<T: TensorScalar>(_ from: UnsafeMutablePointer<T>, _ to: UnsafeMutablePointer<T>) {
            var s = from
            for o in 0..<outer {
                for p in positions {
                    let d = to + (o * size + p) * inner
                    for i in 0..<inner { d[i] = d[i] + s[i] }
                    s += inner
                }
            }
        }
        switch g.dtype {
        case .float64: add(src.pointer(Double.self), out.pointer(Double.self))
        case .float32: add(src.pointer(Float.self), out.pointer(Float.self))
        }
        return out
    }

    public func contiguous() throws -> Tensor {
        isContiguous ? self : try clone()
    }

    public func clone() throws -> Tensor {
        let out = try Tensor(uninitialized: shape, dtype: dtype)
        try out.copy(from: self)
        return out
    }

    /// A copy with another element type (self when the dtype already matches).
    public func converted(to dtype: DType) throws -> Tensor {
        if dtype == self.dtype { return self }
        let out = try Tensor(uninitialized: shape, dtype: dtype)
        try out.copy(from: self)
        return out
    }

    /// Concatenates along dim; all other dimensions must agree.
    public static func cat(_ parts: [Tensor], dim: Int) throws -> Tensor {
        guard let first = parts.first else { throw TensorError("cat: expected at least one tensor") }
        try first.checkDim(dim, "cat")
        var dtype = first.dtype
        var total = 0
        for (k, p) in parts.enumerated() {
            guard p.rank == first.rank,
                  (0..<p.rank).allSatisfy({ $0 == dim || p.shape[$0] == first.shape[$0] }) else {
                throw TensorError("cat: tensor \(k + 1) has shape \(shapeText(p.shape)), which does not match \(shapeText(first.shape)) outside dimension \(dim + 1)")
            }
            dtype = DType.promote(dtype, p.dtype)
            total += p.shape[dim]
        }
        var shape = first.shape
        shape[dim] = total
        try checkedCount(shape, dtype, "cat")
        let out = try Tensor(uninitialized: shape, dtype: dtype)
        var start = 0
        for p in parts {
            try out.narrow(dim, start: start, length: p.shape[dim]).copy(from: p)
            start += p.shape[dim]
        }
        return out
    }
}

/// Selecting elements by masks and positions: the helpers losses are written with. Each is one
/// kernel whose output shape is fixed by its inputs' shapes (never by their values, except
/// `masked`, whose length is the mask's count of ones), so a backward pass is a scatter of the
/// output gradient back to the positions read.
extension Tensor {
    /// The values of a mask (a tensor of 0s and 1s, as `eq`/`lt`/`gt` return) in row-major
    /// order as Bools; any other value is an error naming its position.
    func maskValues(_ op: String) throws -> [Bool] {
        var out = [Bool]()
        out.reserveCapacity(count)
        var bad: (Int, Double)?
        var k = 0
        forEachValue { v in
            if v == 1 { out.append(true) } else if v == 0 { out.append(false) } else if bad == nil { bad = (k, v) }
            k += 1
        }
        if let (k, v) = bad {
            throw TensorError("\(op): mask element \(k + 1) (row-major) is \(valueText(v)), expected 0 or 1")
        }
        return out
    }

    /// numpy's `x[mask]` for a 0/1 mask whose shape is the leading part of x's shape: the
    /// slices where the mask is 1, in row-major order, stacked along a new first dimension.
    /// Shapes: x (m1..mk, r...) and mask (m1..mk) give (ones, r...).
    public func masked(_ mask: Tensor) throws -> Tensor {
        guard mask.rank >= 1, mask.rank <= rank, Array(shape.prefix(mask.rank)) == mask.shape else {
            throw TensorError("masked: mask of shape \(shapeText(mask.shape)) does not match the leading dimensions of \(shapeText(shape))")
        }
        let keep = try mask.maskValues("masked")
        let rest = Array(shape.dropFirst(mask.rank))
        let inner = Tensor.elementCount(rest)
        var ones = 0
        for b in keep where b { ones += 1 }
        let out = try Tensor(uninitialized: [ones] + rest, dtype: dtype)
        // The source as (mask elements, inner): a view when contiguous, else a copy.
        let src = try contiguous().view([keep.count, inner])
        var row = 0
        for (k, b) in keep.enumerated() where b {
            try out.select(0, row).view([inner]).copy(from: src.select(0, k))
            row += 1
        }
        return out
    }

    /// torch's gather: out[i1..in] = x[i1.. index[i1..in] ..in] (the position along `dim` taken
    /// from `index`, 0-based here). index has x's rank; its size along every other dimension is
    /// at most x's. The result has index's shape and x's dtype.
    public func gather(_ dim: Int, _ index: Tensor) throws -> Tensor {
        try gather(flatPositions: try gatherOffsets(dim, index, strides: strides, offset: 0), shape: index.shape)
    }

    /// A new tensor of `shape` whose element k is at offsets[k] from this tensor's first element
    /// (offsets from gatherOffsets with this tensor's strides, so in bounds).
    func gather(flatPositions offsets: [Int], shape: [Int]) throws -> Tensor {
        let out = try Tensor(uninitialized: shape, dtype: dtype)  // contiguous: element k at offset k
        func copy<T: TensorScalar>(_ src: UnsafeMutablePointer<T>, _ dst: UnsafeMutablePointer<T>) {
            for (k, o) in offsets.enumerated() { dst[k] = src[o] }
        }
        switch dtype {
        case .float64: copy(pointer(Double.self), out.pointer(Double.self))
        case .float32: copy(pointer(Float.self), out.pointer(Float.self))
        }
        return out
    }

    /// For each element of `index` in row-major order, the offset (with the given strides and
    /// base offset) of the element of this tensor that gather reads; values are checked.
    public func gatherOffsets(_ dim: Int, _ index: Tensor, strides: [Int], offset: Int) throws -> [Int] {
        try checkDim(dim, "gather")
        guard index.rank == rank,
              (0..<rank).allSatisfy({ $0 == dim || index.shape[$0] <= shape[$0] }) else {
            throw TensorError("gather: index of shape \(shapeText(index.shape)) does not fit \(shapeText(shape)) (same number of dimensions, sizes at most the tensor's outside dimension \(dim + 1))")
        }
        let positions = index.toArray()
        var offsets = [Int](repeating: 0, count: positions.count)
        let size = Double(shape[dim])
        if rank == 2 {
            // The common case (picking one column per row), without the general odometer.
            let cols = index.shape[1], rowStride = strides[0], colStride = strides[1]
            for (k, p) in positions.enumerated() {
                guard p >= 1, p <= size, Double(Int(p)) == p else {
                    throw TensorError("gather: index element \(k + 1) is \(valueText(p)), expected an integer in 1..\(shape[dim]) (dimension \(dim + 1))")
                }
                let (r, c) = cols == 0 ? (0, 0) : k.quotientAndRemainder(dividingBy: cols)
                let q = Int(p) - 1
                offsets[k] = offset + (dim == 0 ? q : r) * rowStride + (dim == 1 ? q : c) * colStride
            }
            return offsets
        }
        var at = [Int](repeating: 0, count: rank)
        var base = offset  // the offset of `at` without its `dim` term
        for (k, p) in positions.enumerated() {
            guard p == p.rounded(), p >= 1, p <= Double(shape[dim]) else {
                throw TensorError("gather: index element \(k + 1) is \(valueText(p)), expected an integer in 1..\(shape[dim]) (dimension \(dim + 1))")
            }
            offsets[k] = base + (Int(p) - 1) * strides[dim]
            // Next position in row-major order.
            var d = rank - 1
            while d >= 0 {
                at[d] += 1
                if d != dim { base += strides[d] }
                if at[d] < index.shape[d] { break }
                if d != dim { base -= strides[d] * at[d] }
                at[d] = 0
                d -= 1
            }
        }
        return offsets
    }

    /// numpy's where: a where mask is 1, b where it is 0, all three broadcast together. The
    /// result is float64 unless both a and b are float32.
    public static func `where`(_ mask: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        guard let ab = broadcastShape(a.shape, b.shape), let shape = broadcastShape(mask.shape, ab) else {
            throw TensorError("where: shapes \(shapeText(mask.shape)) (mask), \(shapeText(a.shape)) and \(shapeText(b.shape)) cannot be broadcast together")
        }
        _ = try mask.maskValues("where")
        let out = try Tensor(uninitialized: shape, dtype: DType.promote(a.dtype, b.dtype))
        let m = try mask.broadcast(to: shape, "where"), x = try a.broadcast(to: shape, "where"), y = try b.broadcast(to: shape, "where")
        StridedLoop.rows(shape: shape, strides: [out.strides, m.strides, x.strides, y.strides],
                         offsets: [out.offset, m.offset, x.offset, y.offset]) { offs, n, inner in
            for j in 0..<n {
                let pick = m.element(offs[1] + j * inner[1]) == 1 ? x.element(offs[2] + j * inner[2]) : y.element(offs[3] + j * inner[3])
                out.setElement(offs[0] + j * inner[0], pick)
            }
        }
        return out
    }

    /// (N) labels in 1..C to an (N, C) float64 tensor of 0s with a 1 at each row's label.
    public static func onehot(_ labels: Tensor, classes: Int) throws -> Tensor {
        guard labels.rank == 1 else { throw TensorError("tensor.onehot: labels must be 1-D, got shape \(shapeText(labels.shape))") }
        guard classes >= 1 else { throw TensorError("tensor.onehot: number of classes must be >= 1, got \(classes)") }
        let out = try Tensor(zeros: [labels.count, classes])
        let p = out.pointer(Double.self)
        for (n, v) in labels.toArray().enumerated() {
            guard v == v.rounded(), v >= 1, v <= Double(classes) else {
                throw TensorError("tensor.onehot: label at row \(n + 1) is \(valueText(v)), expected an integer in 1..\(classes)")
            }
            p[n * classes + Int(v) - 1] = 1
        }
        return out
    }

    /// The element at a storage offset, as Double.
    @inline(__always) func element(_ o: Int) -> Double {
        switch dtype {
        case .float64: return storage.pointer(Double.self)[o]
        case .float32: return Double(storage.pointer(Float.self)[o])
        }
    }

    @inline(__always) func setElement(_ o: Int, _ v: Double) {
        switch dtype {
        case .float64: storage.pointer(Double.self)[o] = v
        case .float32: storage.pointer(Float.self)[o] = Float(v)
        }
    }
}

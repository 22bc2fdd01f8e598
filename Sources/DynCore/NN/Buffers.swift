/// Output and gradient buffers that modules and losses own and reuse from call to call, so a
/// training step allocates nothing once the shapes are known.
enum Buffers {
    /// `slot` when it already holds a tensor of this shape and dtype, else a fresh contiguous one
    /// (stored in `slot`). The contents are undefined: callers overwrite every element.
    @inline(__always)
    static func reuse(_ slot: inout Tensor?, shape: [Int], dtype: DType) throws -> Tensor {
        if let t = slot, t.dtype == dtype, t.shape == shape { return t }
        let t = try Tensor(uninitialized: shape, dtype: dtype)
        slot = t
        return t
    }

    /// The same for a rows x cols matrix, without building a shape array on the fast path.
    @inline(__always)
    static func reuse(_ slot: inout Tensor?, rows: Int, cols: Int, dtype: DType) throws -> Tensor {
        if let t = slot, t.dtype == dtype, t.rank == 2, t.shape[0] == rows, t.shape[1] == cols { return t }
        let t = try Tensor(uninitialized: [rows, cols], dtype: dtype)
        slot = t
        return t
    }
}

extension Tensor {
    /// Sets every element to +0. A contiguous tensor is cleared with memset (+0.0 is all zero
    /// bits in both dtypes), far faster than an element loop on a large model's gradients.
    func zeroFill() {
        guard isContiguous else { fill(0); return }
        switch dtype {
        case .float64: pointer(Double.self).update(repeating: 0, count: count)
        case .float32: pointer(Float.self).update(repeating: 0, count: count)
        }
    }
}

/// Element-wise loops for module kernels: a plain pointer loop when every operand is contiguous
/// (the training case); strided operands are copied to contiguous ones first. `out` is always a contiguous buffer
/// of the same shape as the inputs.
enum ElementLoops {
    @inline(__always)
    static func map<T: TensorScalar>(_ x: Tensor, into out: Tensor, _: T.Type, _ f: (T) throws -> T) throws {
        // Strided inputs (rare for modules) are made contiguous first.
        let x = x.isContiguous ? x : try x.clone()
        let px = x.pointer(T.self), po = out.pointer(T.self)
        for i in 0..<out.count { po[i] = try f(px[i]) }
    }

    @inline(__always)
    static func zip<T: TensorScalar>(_ a: Tensor, _ b: Tensor, into out: Tensor, _: T.Type, _ f: (T, T) throws -> T) throws {
        let a = a.isContiguous ? a : try a.clone(), b = b.isContiguous ? b : try b.clone()
        let pa = a.pointer(T.self), pb = b.pointer(T.self), po = out.pointer(T.self)
        for i in 0..<out.count { po[i] = try f(pa[i], pb[i]) }
    }
}

extension Module {
    /// Throws unless gradOutput has the shape of the output it is the gradient of.
    func checkGradShape(_ gradOutput: Tensor, _ output: Tensor) throws {
        guard gradOutput.shape == output.shape else {
            throw TensorError("\(description): backward: gradient of shape \(shapeText(gradOutput.shape)) does not match the output shape \(shapeText(output.shape))")
        }
    }
}

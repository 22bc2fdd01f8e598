/// Recorded views and copies: the backward puts the gradient back where each element came from.
extension Tape {
    public func reshaped(_ a: Tensor, _ shape: [Int], copying: Bool) throws -> Tensor {
        let out = copying ? try a.reshape(shape) : try a.view(shape)
        return record(out, inputs: [a], saving: []) { g in [try g.reshape(a.shape)] }
    }

    public func transpose(_ a: Tensor, _ d1: Int, _ d2: Int) throws -> Tensor {
        let out = try a.transpose(d1, d2)
        return record(out, inputs: [a], saving: []) { g in [try g.transpose(d1, d2)] }
    }

    public func t(_ a: Tensor) throws -> Tensor {
        let out = try a.t()
        return record(out, inputs: [a], saving: []) { g in [try g.t()] }
    }

    /// clone, contiguous, to(dtype): the same values, the gradient passed back in a's dtype.
    public func copied(_ a: Tensor, _ out: Tensor) -> Tensor {
        record(out, inputs: [a], saving: []) { g in [try g.converted(to: a.dtype)] }
    }

    public func narrow(_ a: Tensor, _ dim: Int, start: Int, length: Int) throws -> Tensor {
        let out = try a.narrow(dim, start: start, length: length)
        return record(out, inputs: [a], saving: []) { g in
            let full = try Tensor(zeros: a.shape, dtype: g.dtype)
            try full.narrow(dim, start: start, length: length).copy(from: g)
            return [full]
        }
    }

    public func select(_ a: Tensor, _ dim: Int, _ i: Int) throws -> Tensor {
        let out = try a.select(dim, i)
        return record(out, inputs: [a], saving: []) { g in
            let full = try Tensor(zeros: a.shape, dtype: g.dtype)
            try full.select(dim, i).copy(from: g)
            return [full]
        }
    }

    /// Rows (slices along `dim`) by position; a position taken twice gets both gradients.
    public func index(_ a: Tensor, _ dim: Int, _ positions: [Int]) throws -> Tensor {
        let out = try a.index(dim, positions)
        return record(out, inputs: [a], saving: []) { g in
            [try a.indexAdded(dim, positions, from: g)]
        }
    }

    public func cat(_ parts: [Tensor], dim: Int) throws -> Tensor {
        let out = try Tensor.cat(parts, dim: dim)
        return record(out, inputs: parts, saving: []) { g in
            var start = 0
            return try parts.map { p in
                defer { start += p.shape[dim] }
                return try g.narrow(dim, start: start, length: p.shape[dim]).converted(to: p.dtype).contiguous()
            }
        }
    }

    public func stack(_ parts: [Tensor], dim: Int) throws -> Tensor {
        let out = try Tensor.stack(parts, dim: dim)
        return record(out, inputs: parts, saving: []) { g in
            try parts.indices.map { try g.select(dim, $0).converted(to: parts[$0].dtype).contiguous() }
        }
    }
}

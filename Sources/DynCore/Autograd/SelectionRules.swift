/// Recorded mask and position selections (the helpers losses are written with). The mask and the
/// positions are constants: only the selected values carry gradients.
extension Tape {
    public func masked(_ a: Tensor, _ mask: Tensor) throws -> Tensor {
        let out = try a.masked(mask)
        return record(out, inputs: [a], saving: []) { g in
            let keep = try mask.maskValues("masked")
            let inner = a.count / Swift.max(keep.count, 1)
            var positions: [Int] = []
            for (k, b) in keep.enumerated() where b { positions += (k * inner)..<((k + 1) * inner) }
            return [try g.contiguous().scatteredAdd(into: a.shape, at: positions)]
        }
    }

    public func gather(_ a: Tensor, _ dim: Int, _ index: Tensor) throws -> Tensor {
        // Row-major position in a of each index element; the forward reads them from a contiguous copy.
        let positions = try a.gatherOffsets(dim, index, strides: Tensor.contiguousStrides(a.shape), offset: 0)
        let out = try a.contiguous().gather(flatPositions: positions, shape: index.shape)
        return record(out, inputs: [a], saving: []) { g in
            [try g.contiguous().scatteredAdd(into: a.shape, at: positions)]
        }
    }

    public func `where`(_ mask: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        let out = try Tensor.where(mask, a, b)
        return record(out, inputs: [a, b], saving: []) { g in
            let zero = try Tensor(shape: [], values: [0], dtype: g.dtype)
            return [try Tensor.where(mask, g, zero).summed(to: a.shape).converted(to: a.dtype),
                    try Tensor.where(mask, zero, g).summed(to: b.shape).converted(to: b.dtype)]
        }
    }
}

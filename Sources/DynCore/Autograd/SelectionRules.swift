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
        let out = try a.gather(dim, index)
        return record(out, inputs: [a], saving: []) { g in
            // Row-major position in a of each index element: its own coordinates, with the one
            // along `dim` replaced by the index value.
            let aStrides = Tensor.contiguousStrides(a.shape)
            var at = [Int](repeating: 0, count: index.rank)
            var positions: [Int] = []
            index.forEachValue { v in
                var p = 0
                for d in 0..<index.rank { p += (d == dim ? Int(v) - 1 : at[d]) * aStrides[d] }
                positions.append(p)
                var d = index.rank - 1
                while d >= 0 { at[d] += 1; if at[d] < index.shape[d] { break }; at[d] = 0; d -= 1 }
            }
            return [try g.contiguous().scatteredAdd(into: a.shape, at: positions)]
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

/// Walks the elements of one or more equally shaped strided operands in row-major order,
/// one innermost run at a time, so kernels can keep a tight loop over each run.
/// Adjacent dimensions that are contiguous for every operand are merged first, so a
/// contiguous tensor is a single run.
public enum StridedLoop {
    /// Calls `body(offsets, n, innerStrides)` once per run: `offsets[k]` is operand k's element
    /// offset at the run's start, `innerStrides[k]` its step within the run.
    public static func rows(shape: [Int], strides: [[Int]], offsets: [Int],
                            _ body: (UnsafeBufferPointer<Int>, Int, UnsafeBufferPointer<Int>) -> Void) {
        let k = strides.count, rank = shape.count
        // Merged sizes, and the strides of the merged dimensions, dimension-major: st[d * k + j].
        var dims: [Int] = []
        var st: [Int] = []
        dims.reserveCapacity(rank)
        st.reserveCapacity(rank * k)
        var d = 0
        while d < rank {
            let size = shape[d]
            if size == 0 { return }
            if size != 1 {
                let last = dims.count - 1
                var merge = last >= 0
                var j = 0
                while merge && j < k {
                    if st[last * k + j] != strides[j][d] * size { merge = false }
                    j += 1
                }
                if merge {
                    dims[last] *= size
                    j = 0
                    while j < k { st[last * k + j] = strides[j][d]; j += 1 }
                } else {
                    dims.append(size)
                    j = 0
                    while j < k { st.append(strides[j][d]); j += 1 }
                }
            }
            d += 1
        }
        var current = offsets
        let r = dims.count
        if r == 0 {
            let ones = [Int](repeating: 1, count: k)
            current.withUnsafeBufferPointer { o in ones.withUnsafeBufferPointer { body(o, 1, $0) } }
            return
        }
        let n = dims[r - 1]
        var counter = [Int](repeating: 0, count: r)
        st.withUnsafeBufferPointer { stBuf in
            let inner = UnsafeBufferPointer(rebasing: stBuf[(r - 1) * k ..< r * k])
            current.withUnsafeMutableBufferPointer { cur in
                let curView = UnsafeBufferPointer(cur)
                while true {
                    body(curView, n, inner)
                    // Advance the odometer over the outer dimensions.
                    var d = r - 2
                    while d >= 0 {
                        counter[d] += 1
                        var j = 0
                        while j < k { cur[j] += stBuf[d * k + j]; j += 1 }
                        if counter[d] < dims[d] { break }
                        j = 0
                        while j < k { cur[j] -= stBuf[d * k + j] * dims[d]; j += 1 }
                        counter[d] = 0
                        d -= 1
                    }
                    if d < 0 { return }
                }
            }
        }
    }
}

extension StridedLoop {
    /// Two operands: `body(offset0, offset1, n, stride0, stride1)` per run.
    @inline(__always)
    public static func rows(shape: [Int], _ s0: [Int], _ o0: Int, _ s1: [Int], _ o1: Int,
                            _ body: (Int, Int, Int, Int, Int) -> Void) {
        rows(shape: shape, strides: [s0, s1], offsets: [o0, o1]) { o, n, s in body(o[0], o[1], n, s[0], s[1]) }
    }

    /// Three operands: `body(offset0, offset1, offset2, n, stride0, stride1, stride2)` per run.
    @inline(__always)
    public static func rows(shape: [Int], _ s0: [Int], _ o0: Int, _ s1: [Int], _ o1: Int, _ s2: [Int], _ o2: Int,
                            _ body: (Int, Int, Int, Int, Int, Int, Int) -> Void) {
        rows(shape: shape, strides: [s0, s1, s2], offsets: [o0, o1, o2]) { o, n, s in
            body(o[0], o[1], o[2], n, s[0], s[1], s[2])
        }
    }
}

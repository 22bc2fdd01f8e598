/// Walks the elements of one or more equally shaped strided operands in row-major order,
/// one innermost run at a time, so kernels can keep a tight loop over each run.
/// Adjacent dimensions that are contiguous for every operand are merged first, so a
/// contiguous tensor is a single run.
public enum StridedLoop {
    /// Calls `body(offsets, n, innerStrides)` once per run: `offsets[k]` is operand k's element
    /// offset at the run's start, `innerStrides[k]` its step within the run.
    public static func rows(shape: [Int], strides: [[Int]], offsets: [Int],
                            _ body: (UnsafeBufferPointer<Int>, Int, UnsafeBufferPointer<Int>) -> Void) {
        let k = strides.count
        if shape.contains(0) { return }
        // Drop size-1 dimensions, then merge mergeable neighbours.
        var dims: [Int] = []
        var st: [[Int]] = Array(repeating: [], count: k)
        for d in 0..<shape.count where shape[d] != 1 {
            if let last = dims.last, (0..<k).allSatisfy({ st[$0].last! == strides[$0][d] * shape[d] }) {
                _ = last
                dims[dims.count - 1] *= shape[d]
                for j in 0..<k { st[j][st[j].count - 1] = strides[j][d] }
            } else {
                dims.append(shape[d])
                for j in 0..<k { st[j].append(strides[j][d]) }
            }
        }
        var current = offsets
        if dims.isEmpty {
            let ones = [Int](repeating: 1, count: k)
            current.withUnsafeBufferPointer { o in ones.withUnsafeBufferPointer { body(o, 1, $0) } }
            return
        }
        let r = dims.count
        let n = dims[r - 1]
        let inner = (0..<k).map { st[$0][r - 1] }
        var counter = [Int](repeating: 0, count: r - 1)
        inner.withUnsafeBufferPointer { innerBuf in
            while true {
                current.withUnsafeBufferPointer { body($0, n, innerBuf) }
                // Advance the odometer over the outer dimensions.
                var d = r - 2
                while d >= 0 {
                    counter[d] += 1
                    for j in 0..<k { current[j] += st[j][d] }
                    if counter[d] < dims[d] { break }
                    for j in 0..<k { current[j] -= st[j][d] * dims[d] }
                    counter[d] = 0
                    d -= 1
                }
                if d < 0 { return }
            }
        }
    }
}

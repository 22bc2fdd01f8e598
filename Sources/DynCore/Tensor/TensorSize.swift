/// Size checks for tensors about to be allocated from user input, so that a mistyped size is a
/// clear error naming the operation instead of an integer overflow trap. Whether the memory is
/// there is for the allocation itself to find out (`Storage`): malloc, not the machine's
/// physical memory, says what can be had (a `ulimit -v` or `--max-memory` may allow less, swap more).
extension Tensor {
    /// The element count of `shape`, or an error when a size is negative or the count (or its
    /// bytes) overflows.
    @discardableResult
    public static func checkedCount(_ shape: [Int], _ dtype: DType, _ op: String) throws -> Int {
        var n = 1
        for d in shape {
            guard d >= 0 else { throw TensorError("\(op): invalid shape \(shapeText(shape))") }
            let (m, overflow) = n.multipliedReportingOverflow(by: d)
            guard !overflow else { throw TensorError("\(op): shape \(shapeText(shape)) has too many elements") }
            n = m
        }
        guard !n.multipliedReportingOverflow(by: dtype.byteSize).overflow else {
            throw TensorError("\(op): a \(dtype.rawValue) tensor of shape \(shapeText(shape)) is too large (its size in bytes overflows)")
        }
        return n
    }
}

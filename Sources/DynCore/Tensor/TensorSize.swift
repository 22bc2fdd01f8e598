import Foundation

/// Size checks for tensors about to be allocated from user input, so that a mistyped size is a
/// clear error instead of an integer overflow trap or an out-of-memory abort.
extension Tensor {
    /// The element count of `shape`, or an error when it overflows or the elements would need
    /// more bytes than the machine's physical memory.
    @discardableResult
    public static func checkedCount(_ shape: [Int], _ dtype: DType, _ op: String) throws -> Int {
        var n = 1
        for d in shape {
            guard d >= 0 else { throw TensorError("\(op): invalid shape \(shapeText(shape))") }
            let (m, overflow) = n.multipliedReportingOverflow(by: d)
            guard !overflow else { throw TensorError("\(op): shape \(shapeText(shape)) has too many elements") }
            n = m
        }
        let bytes = Double(n) * Double(dtype.byteSize)
        let memory = Double(ProcessInfo.processInfo.physicalMemory)
        guard bytes <= memory else {
            throw TensorError("\(op): a \(dtype.rawValue) tensor of shape \(shapeText(shape)) needs \(gigabytes(bytes)), more than this machine's memory (\(gigabytes(memory)))")
        }
        return n
    }

    static func gigabytes(_ bytes: Double) -> String { String(format: "%.1f GB", bytes / 1e9) }
}

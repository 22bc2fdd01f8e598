import CMemoryBudget
import Foundation

/// A block of tensor elements, shared by a tensor and all of its views.
/// Memory is 64-byte aligned for BLAS and vector loads.
///
/// This is the one allocation path for memory whose size a script controls (tensors, and the
/// models, optimizer state, data sets and checkpoints built of them): the size is checked for
/// overflow, accounted in the process's memory budget (`dynlua --max-memory`), and a refused or
/// failed allocation throws instead of aborting.
public final class Storage {
    public let dtype: DType
    public let count: Int
    public let raw: UnsafeMutableRawPointer

    /// Bytes held by live storages, and the highest value seen: the allocator's own count,
    /// used by the memory test and reported by `dynlua` diagnostics.
    nonisolated(unsafe) public private(set) static var liveBytes = 0
    nonisolated(unsafe) public private(set) static var peakBytes = 0

    /// Called once when an allocation would pass the memory limit, before giving up: the Lua
    /// binding collects garbage there (unreachable tensors are freed by their finalizers).
    nonisolated(unsafe) public static var reclaim: (() -> Void)?

    public var byteCount: Int { count * dtype.byteSize }

    /// Uninitialized storage: callers write every element before reading. `what` names the
    /// allocation in errors ("a float64 tensor of shape (2x3)").
    public init(uninitialized count: Int, dtype: DType, what: @autoclosure () -> String) throws {
        guard count >= 0 else { throw TensorError("cannot allocate \(count) elements for \(what())") }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow else { throw TensorError("cannot allocate \(what()): its size is too large (\(count) elements of \(dtype.byteSize) bytes)") }
        try Storage.reserve(bytes, what)
        var p: UnsafeMutableRawPointer? = nil
        guard posix_memalign(&p, 64, max(bytes, 64)) == 0, let pointer = p else {
            dyn_budget_release(bytes)
            throw TensorError("cannot allocate \(byteText(bytes)) for \(what()) (out of memory)")
        }
        self.dtype = dtype
        self.count = count
        raw = pointer
        Storage.liveBytes += bytes
        Storage.peakBytes = max(Storage.peakBytes, Storage.liveBytes)
    }

    public convenience init(zeros count: Int, dtype: DType, what: @autoclosure () -> String) throws {
        try self.init(uninitialized: count, dtype: dtype, what: what())
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
    }

    deinit {
        Storage.liveBytes -= byteCount
        dyn_budget_release(byteCount)
        free(raw)
    }

    /// Accounts `bytes` in the budget, collecting garbage once if the limit is in the way.
    private static func reserve(_ bytes: Int, _ what: () -> String) throws {
        if dyn_budget_reserve(bytes) != 0 { return }
        reclaim?()
        if dyn_budget_reserve(bytes) != 0 { return }
        throw TensorError("memory limit of \(byteText(Int(dyn_budget_limit()))) exceeded allocating \(byteText(bytes)) for \(what()) (\(byteText(Int(dyn_budget_used()))) in use)")
    }

    public static func resetPeak() { peakBytes = liveBytes }

    @inline(__always)
    public func pointer<T: TensorScalar>(_: T.Type) -> UnsafeMutablePointer<T> {
        raw.assumingMemoryBound(to: T.self)
    }
}

/// "8000 bytes", "8388608 bytes (8 MiB)", "1610612736 bytes (1.5 GiB)": exact, then readable.
public func byteText(_ bytes: Int) -> String {
    let units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
    var value = Double(bytes), unit = -1
    while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
    if unit < 0 { return "\(bytes) bytes" }
    let readable = value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    return "\(bytes) bytes (\(readable) \(units[unit]))"
}

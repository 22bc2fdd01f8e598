import Foundation

/// A block of tensor elements, shared by a tensor and all of its views.
/// Memory is 64-byte aligned for BLAS and vector loads.
public final class Storage {
    public let dtype: DType
    public let count: Int
    public let raw: UnsafeMutableRawPointer

    /// Bytes held by live storages, and the highest value seen: the allocator's own count,
    /// used by the memory test and reported by `dynlua` diagnostics.
    nonisolated(unsafe) public private(set) static var liveBytes = 0
    nonisolated(unsafe) public private(set) static var peakBytes = 0

    public var byteCount: Int { count * dtype.byteSize }

    /// Uninitialized storage: callers write every element before reading.
    public init(uninitialized count: Int, dtype: DType) {
        precondition(count >= 0)
        self.dtype = dtype
        self.count = count
        var p: UnsafeMutableRawPointer? = nil
        let bytes = max(count * dtype.byteSize, 64)
        guard posix_memalign(&p, 64, bytes) == 0, let pointer = p else {
            fatalError("dynlua: out of memory allocating \(bytes) bytes")
        }
        raw = pointer
        Storage.liveBytes += count * dtype.byteSize
        Storage.peakBytes = max(Storage.peakBytes, Storage.liveBytes)
    }

    public convenience init(zeros count: Int, dtype: DType) {
        self.init(uninitialized: count, dtype: dtype)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: count * dtype.byteSize)
    }

    deinit {
        Storage.liveBytes -= count * dtype.byteSize
        free(raw)
    }

    public static func resetPeak() { peakBytes = liveBytes }

    @inline(__always)
    public func pointer<T: TensorScalar>(_: T.Type) -> UnsafeMutablePointer<T> {
        raw.assumingMemoryBound(to: T.self)
    }
}

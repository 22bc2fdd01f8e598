/// A dense, strided, n-dimensional array of float64 or float32 elements.
/// Views (transpose, narrow, select, ...) are new Tensor objects over the same Storage, so a
/// write through one is seen through all. Shape and strides never change after creation.
public final class Tensor {
    public let storage: Storage
    public let shape: [Int]
    /// Distance between neighbours along each dimension, in elements (not bytes).
    public let strides: [Int]
    /// Position of the first element in the storage, in elements.
    public let offset: Int

    public var dtype: DType { storage.dtype }
    public var rank: Int { shape.count }
    /// Number of elements (1 for a 0-D tensor).
    public let count: Int

    public init(storage: Storage, shape: [Int], strides: [Int], offset: Int = 0) {
        precondition(shape.count == strides.count)
        self.storage = storage
        self.shape = shape
        self.strides = strides
        self.offset = offset
        self.count = Tensor.elementCount(shape)
    }

    /// A fresh contiguous tensor with undefined contents (every kernel writing into it fills it).
    public init(uninitialized shape: [Int], dtype: DType = .float64) throws {
        count = try Tensor.checkedCount(shape, dtype, "tensor")
        storage = try Storage(uninitialized: count, dtype: dtype, what: "a \(dtype.rawValue) tensor of shape \(shapeText(shape))")
        self.shape = shape
        strides = Tensor.contiguousStrides(shape)
        offset = 0
    }

    public convenience init(zeros shape: [Int], dtype: DType = .float64) throws {
        try self.init(uninitialized: shape, dtype: dtype)
        storage.raw.initializeMemory(as: UInt8.self, repeating: 0, count: storage.byteCount)
    }

    public convenience init(shape: [Int], values: [Double], dtype: DType = .float64) throws {
        try self.init(uninitialized: shape, dtype: dtype)
        guard values.count == count else { throw TensorError("\(values.count) values do not fill the shape \(shapeText(shape))") }
        switch dtype {
        case .float64: values.withUnsafeBufferPointer { storage.pointer(Double.self).update(from: $0.baseAddress!, count: values.count) }
        case .float32:
            let p = storage.pointer(Float.self)
            for i in 0..<values.count { p[i] = Float(values[i]) }
        }
    }

    public convenience init(filled value: Double, shape: [Int], dtype: DType = .float64) throws {
        try self.init(uninitialized: shape, dtype: dtype)
        fill(value)
    }

    /// The product of the sizes. Plain loops here and in the other per-operation helpers keep
    /// debug builds fast (no generic closures).
    public static func elementCount(_ shape: [Int]) -> Int {
        var n = 1, d = 0
        while d < shape.count { n *= shape[d]; d += 1 }
        return n
    }

    public static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var step = 1, d = shape.count - 1
        while d >= 0 {
            strides[d] = step
            step *= max(shape[d], 1)
            d -= 1
        }
        return strides
    }

    /// True when the elements lie in row-major order without gaps (always for an empty tensor).
    public var isContiguous: Bool {
        if count == 0 { return true }
        var expected = 1
        for d in stride(from: rank - 1, through: 0, by: -1) where shape[d] != 1 {
            if strides[d] != expected { return false }
            expected *= shape[d]
        }
        return true
    }

    /// Pointer to the first element, typed. Only valid while `self` is alive.
    @inline(__always)
    public func pointer<T: TensorScalar>(_: T.Type) -> UnsafeMutablePointer<T> {
        storage.pointer(T.self) + offset
    }

    // MARK: element access by 0-based multi-index

    @inline(__always)
    public func elementOffset(_ index: [Int]) -> Int {
        var o = offset
        for d in 0..<index.count { o += index[d] * strides[d] }
        return o
    }

    public func value(at index: [Int]) -> Double {
        let o = elementOffset(index)
        switch dtype {
        case .float64: return storage.pointer(Double.self)[o]
        case .float32: return Double(storage.pointer(Float.self)[o])
        }
    }

    public func setValue(_ v: Double, at index: [Int]) {
        let o = elementOffset(index)
        switch dtype {
        case .float64: storage.pointer(Double.self)[o] = v
        case .float32: storage.pointer(Float.self)[o] = Float(v)
        }
    }

    /// The single element of a one-element tensor.
    public func item() throws -> Double {
        guard count == 1 else {
            throw TensorError("item: tensor of shape \(shapeText(shape)) has \(count) elements, expected 1")
        }
        return value(at: [Int](repeating: 0, count: rank))
    }

    /// All elements in row-major order, as Double.
    public func toArray() -> [Double] {
        if dtype == .float64 && isContiguous {
            return Array(UnsafeBufferPointer(start: pointer(Double.self), count: count))
        }
        var out = [Double]()
        out.reserveCapacity(count)
        forEachValue { out.append($0) }
        return out
    }

    /// Visits elements in row-major order.
    public func forEachValue(_ body: (Double) -> Void) {
        switch dtype {
        case .float64: visit(Double.self) { body($0) }
        case .float32: visit(Float.self) { body(Double($0)) }
        }
    }

    func visit<T: TensorScalar>(_: T.Type, _ body: (T) -> Void) {
        let base = storage.pointer(T.self)
        StridedLoop.rows(shape: shape, strides: [strides], offsets: [offset]) { offs, n, inner in
            var o = offs[0]
            let s = inner[0]
            for _ in 0..<n { body(base[o]); o += s }
        }
    }
}

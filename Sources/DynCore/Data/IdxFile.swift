/// The idx format of MNIST-style data sets (plain or gzip-compressed): two zero bytes, a type
/// byte, the number of dimensions, each dimension as a big-endian 32-bit size, then the
/// elements in row-major order, big-endian.
public enum IdxFile {
    enum ElementType: UInt8 {
        case uint8 = 0x08, int8 = 0x09, int16 = 0x0B, int32 = 0x0C, float32 = 0x0D, float64 = 0x0E

        var size: Int {
            switch self {
            case .uint8, .int8: return 1
            case .int16: return 2
            case .int32, .float32: return 4
            case .float64: return 8
            }
        }
    }

    /// Elements are staged through a buffer of this many bytes (a multiple of every size).
    static let chunkBytes = 1 << 16

    /// The file's tensor, of `dtype` (default: float32 for float32 files, float64 otherwise,
    /// which holds every integer type exactly), each element divided by `divisor`
    /// (in float64, then rounded to the dtype).
    public static func read(path: String, dtype: DType? = nil, divisor: Double = 1, op: String = "data.idx") throws -> Tensor {
        let stream = try ByteStream(bytes: try FileAccess.contents(of: path, op: op), path: path, op: op)
        var head = [UInt8](repeating: 0, count: 4)
        guard try stream.read(into: &head, count: 4) == 4 else {
            throw TensorError("\(op): '\(path)' is truncated (shorter than the 4-byte idx header)")
        }
        guard head[0] == 0, head[1] == 0, let type = ElementType(rawValue: head[2]) else {
            let shown = head.map { String($0, radix: 16, uppercase: false) }.map { $0.count == 1 ? "0" + $0 : $0 }.joined(separator: " ")
            throw TensorError("\(op): '\(path)' is not an idx file (magic bytes \(shown); expected 00 00, a type byte 08, 09, 0b, 0c, 0d or 0e, and the rank)")
        }
        let rank = Int(head[3])
        guard rank >= 1 else { throw TensorError("\(op): '\(path)' declares 0 dimensions (expected at least 1)") }
        var sizes = [UInt8](repeating: 0, count: 4 * rank)
        guard try stream.read(into: &sizes, count: sizes.count) == sizes.count else {
            throw TensorError("\(op): '\(path)' is truncated (its header declares \(rank) sizes)")
        }
        var shape: [Int] = []
        for d in 0..<rank {
            shape.append(sizes[4 * d ..< 4 * d + 4].reduce(0) { $0 << 8 | Int($1) })
        }
        // Sizes are checked for overflow before anything is allocated or multiplied unchecked.
        let outType = dtype ?? (type == .float32 ? .float32 : .float64)
        let count = try Tensor.checkedCount(shape, outType, op)
        let dataBytes = count * type.size
        if let left = stream.remainingPlainBytes, dataBytes > left {
            throw TensorError("\(op): '\(path)' is truncated (shape \(shapeText(shape)) needs \(dataBytes) bytes of data, the file has \(left))")
        }
        let out = try Tensor(uninitialized: shape, dtype: outType)
        switch out.dtype {
        case .float64: try fill(out.pointer(Double.self), out.count, type, divisor, stream, path, op)
        case .float32: try fill(out.pointer(Float.self), out.count, type, divisor, stream, path, op)
        }
        var extra: UInt8 = 0
        if try stream.read(into: &extra, count: 1) != 0 {
            throw TensorError("\(op): '\(path)' has more data than its header's shape \(shapeText(shape)) holds")
        }
        return out
    }

    private static func fill<T: TensorScalar>(_ out: UnsafeMutablePointer<T>, _ count: Int, _ type: ElementType, _ divisor: Double,
                                               _ stream: ByteStream, _ path: String, _ op: String) throws {
        let chunk = UnsafeMutableRawPointer.allocate(byteCount: chunkBytes, alignment: 8)
        defer { chunk.deallocate() }
        let perChunk = chunkBytes / type.size
        var done = 0
        while done < count {
            let n = min(perChunk, count - done)
            let got = try stream.read(into: chunk, count: n * type.size)
            guard got == n * type.size else {
                throw TensorError("\(op): '\(path)' is truncated (the data ends after \(done * type.size + got) of \(count * type.size) bytes)")
            }
            let bytes = chunk.assumingMemoryBound(to: UInt8.self)
            for i in 0..<n { out[done + i] = T(decode(bytes + i * type.size, type) / divisor) }
            done += n
        }
    }

    /// One big-endian element as a Double (exact for every idx type).
    @inline(__always)
    private static func decode(_ p: UnsafePointer<UInt8>, _ type: ElementType) -> Double {
        switch type {
        case .uint8: return Double(p[0])
        case .int8: return Double(Int8(bitPattern: p[0]))
        case .int16: return Double(Int16(bitPattern: UInt16(p[0]) << 8 | UInt16(p[1])))
        case .int32: return Double(Int32(bitPattern: bigEndian32(p)))
        case .float32: return Double(Float(bitPattern: bigEndian32(p)))
        case .float64:
            let bits = UInt64(bigEndian32(p)) << 32 | UInt64(bigEndian32(p + 4))
            return Double(bitPattern: bits)
        }
    }

    @inline(__always)
    private static func bigEndian32(_ p: UnsafePointer<UInt8>) -> UInt32 {
        UInt32(p[0]) << 24 | UInt32(p[1]) << 16 | UInt32(p[2]) << 8 | UInt32(p[3])
    }
}

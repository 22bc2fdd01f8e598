import CZlib

/// A file's bytes read front to back, either as they are or, when they start with gzip's
/// magic (1f 8b), decompressed on the fly by zlib. Reading in chunks keeps a gzip file from
/// ever being decompressed whole: the caller allocates (through the checked path) what the
/// header announces and fills it from here.
final class ByteStream {
    private let bytes: [UInt8]
    private let path: String
    private let op: String
    private var position = 0
    /// At a fixed address: zlib's state points back to its z_stream and checks it.
    private var zstream: UnsafeMutablePointer<z_stream>?
    private var ended = false

    init(bytes: [UInt8], path: String, op: String) throws {
        self.bytes = bytes
        self.path = path
        self.op = op
        guard bytes.count >= 2, bytes[0] == 0x1f, bytes[1] == 0x8b else { return }
        let z = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        z.initialize(to: z_stream())
        // 16 + 15: a gzip wrapper around a deflate stream with the largest window.
        let status = inflateInit2_(z, 16 + 15, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            z.deallocate()
            throw TensorError("\(op): cannot start decompressing '\(path)' (zlib error \(status))")
        }
        zstream = z
    }

    deinit {
        guard let zstream else { return }
        inflateEnd(zstream)
        zstream.deallocate()
    }

    var isCompressed: Bool { zstream != nil }

    /// Bytes left in a plain file (nil for a compressed one, whose size is known only at the end).
    var remainingPlainBytes: Int? { isCompressed ? nil : bytes.count - position }

    /// Fills up to `count` bytes at `out`; returns how many were available (fewer only at the end).
    func read(into out: UnsafeMutableRawPointer, count: Int) throws -> Int {
        guard isCompressed else {
            let n = min(count, bytes.count - position)
            bytes.withUnsafeBytes { out.copyMemory(from: $0.baseAddress! + position, byteCount: n) }
            position += n
            return n
        }
        let z = zstream!
        var produced = 0
        while produced < count && !ended {
            let status: Int32 = bytes.withUnsafeBytes { src in
                let consumed = Int(z.pointee.total_in)
                z.pointee.next_in = UnsafeMutablePointer(mutating: src.baseAddress!.assumingMemoryBound(to: UInt8.self) + consumed)
                z.pointee.avail_in = UInt32(min(bytes.count - consumed, Int(UInt32.max)))
                z.pointee.next_out = (out + produced).assumingMemoryBound(to: UInt8.self)
                z.pointee.avail_out = UInt32(min(count - produced, Int(UInt32.max)))
                let before = z.pointee.avail_out
                let s = inflate(z, Z_NO_FLUSH)
                produced += Int(before - z.pointee.avail_out)
                return s
            }
            switch status {
            case Z_OK: continue
            case Z_STREAM_END: ended = true
            case Z_BUF_ERROR:
                // No progress possible: all input consumed before the gzip stream's end.
                throw TensorError("\(op): '\(path)' is truncated (the gzip data ends early)")
            default:
                let why = z.pointee.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                throw TensorError("\(op): '\(path)' is not valid gzip data (\(why))")
            }
        }
        return produced
    }
}

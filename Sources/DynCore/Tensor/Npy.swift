import Foundation

/// numpy's .npy format, version 1.0 (and 2.0/3.0 headers when reading): little-endian, C order.
/// Reads float64, float32, int32 and int64 (integers become float64); writes float64/float32.
public enum Npy {
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    public static func encode(_ t: Tensor) -> [UInt8] {
        let descr = t.dtype == .float64 ? "<f8" : "<f4"
        let shapeText = t.shape.isEmpty ? "()" : t.shape.count == 1 ? "(\(t.shape[0]),)"
            : "(" + t.shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        // As numpy writes it (byte for byte): room for the first size to grow to 21 digits,
        // then spaces so that magic + version + length + header + "\n" is a multiple of 64
        // (between 1 and 64 of them).
        if let first = t.shape.first { header += String(repeating: " ", count: max(0, 21 - String(first).count)) }
        header += String(repeating: " ", count: 64 - (10 + header.utf8.count + 1) % 64) + "\n"
        var bytes = magic + [1, 0]
        let n = UInt16(header.utf8.count)
        bytes += [UInt8(n & 0xff), UInt8(n >> 8)]
        bytes += Array(header.utf8)
        let c = t.clone()  // contiguous, own storage
        let raw = UnsafeRawBufferPointer(start: c.storage.raw, count: c.count * c.dtype.byteSize)
        bytes += Array(raw)
        return bytes
    }

    public static func decode(_ data: [UInt8], path: String) throws -> Tensor {
        func fail(_ why: String) -> TensorError { TensorError("tensor.load: \(path): \(why)") }
        guard data.count >= 10, Array(data[0..<6]) == magic else { throw fail("not a .npy file (bad magic bytes)") }
        let major = data[6]
        var headerStart = 10, headerLength = 0
        switch major {
        case 1: headerLength = Int(data[8]) | Int(data[9]) << 8
        case 2, 3:
            guard data.count >= 12 else { throw fail("truncated header") }
            headerLength = (0..<4).reduce(0) { $0 | Int(data[8 + $1]) << (8 * $1) }
            headerStart = 12
        default: throw fail("unsupported .npy format version \(major).\(data[7])")
        }
        guard data.count >= headerStart + headerLength,
              let header = String(bytes: data[headerStart..<headerStart + headerLength], encoding: .utf8) else {
            throw fail("truncated header")
        }
        guard let descr = field(header, "descr").map({ $0.trimmingCharacters(in: CharacterSet(charactersIn: "'\"")) }) else {
            throw fail("header has no 'descr'")
        }
        guard let fortran = field(header, "fortran_order") else { throw fail("header has no 'fortran_order'") }
        if fortran == "True" { throw fail("Fortran-order arrays are not supported; save with numpy.ascontiguousarray") }
        guard let shapeField = field(header, "shape"),
              let shape = parseShape(shapeField) else { throw fail("header has no readable 'shape'") }
        let body = headerStart + headerLength
        let itemSize: Int
        switch descr {
        case "<f8", "<i8": itemSize = 8
        case "<f4", "<i4": itemSize = 4
        case ">f8", ">f4", ">i8", ">i4":
            throw fail("big-endian arrays ('\(descr)') are not supported; convert with arr.astype(arr.dtype.newbyteorder('<'))")
        default: throw fail("unsupported dtype '\(descr)' (expected <f8, <f4, <i4 or <i8)")
        }
        var n = 1
        for d in shape {
            let (m, overflow) = n.multipliedReportingOverflow(by: d)
            guard !overflow, m <= Int.max / 8 else { throw fail("shape \(shapeText(shape)) is too large") }
            n = m
        }
        guard data.count - body >= n * itemSize else {
            throw fail("file holds \(data.count - body) data bytes, shape \(shapeText(shape)) needs \(n * itemSize)")
        }
        let t = Tensor(uninitialized: shape, dtype: descr == "<f4" ? .float32 : .float64)
        data.withUnsafeBytes { buf in
            let src = buf.baseAddress! + body
            switch descr {
            case "<f8": memcpy(t.storage.raw, src, n * 8)
            case "<f4": memcpy(t.storage.raw, src, n * 4)
            case "<i4":
                let p = t.pointer(Double.self)
                for i in 0..<n { p[i] = Double(src.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)) }
            default:
                let p = t.pointer(Double.self)
                for i in 0..<n { p[i] = Double(src.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)) }
            }
        }
        return t
    }

    /// The text after 'key': up to the next top-level comma (shape tuples keep their commas).
    static func field(_ header: String, _ key: String) -> String? {
        for quote in ["'", "\""] {
            guard let r = header.range(of: quote + key + quote) else { continue }
            var rest = header[r.upperBound...].drop { $0 == " " || $0 == ":" }
            if rest.first == "(" {
                guard let close = rest.firstIndex(of: ")") else { return nil }
                return String(rest[...close])
            }
            rest = rest.prefix { $0 != "," && $0 != "}" }
            return rest.trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    static func parseShape(_ text: String) -> [Int]? {
        let inner = text.trimmingCharacters(in: CharacterSet(charactersIn: "() "))
        if inner.isEmpty { return [] }
        var dims: [Int] = []
        for part in inner.split(separator: ",") {
            let p = part.trimmingCharacters(in: .whitespaces)
            if p.isEmpty { continue }
            guard let d = Int(p), d >= 0 else { return nil }
            dims.append(d)
        }
        return dims
    }

    public static func load(path: String) throws -> Tensor {
        return try decode(try FileAccess.contents(of: path, op: "tensor.load"), path: path)
    }

    public static func save(_ t: Tensor, path: String) throws {
        try AtomicFile.write(encode(t), to: path, op: "save")
    }
}

import Foundation
import XCTest
@testable import DynCore

/// .npy files against files written by numpy itself (see Fixtures/README.md).
final class NpyTests: XCTestCase {
    func fixture(_ name: String) throws -> String {
        let url = try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: "npy", subdirectory: "Fixtures"),
                                "missing fixture \(name).npy")
        return url.path
    }

    func bytes(_ name: String) throws -> [UInt8] {
        Array(try XCTUnwrap(FileManager.default.contents(atPath: try fixture(name))))
    }

    func testLoadsEveryReadableType() throws {
        assertTensor(try Npy.load(path: fixture("f64_2x3")), [1.5, -2.0, 0.25, 3.0, 1e-3, -7.125], shape: [2, 3], dtype: .float64)
        assertTensor(try Npy.load(path: fixture("f32_1d")), [0.5, -1.25, 3.0, 100.0], shape: [4], dtype: .float32)
        assertTensor(try Npy.load(path: fixture("i32_2x2")), [1, -2, 3, 2147483647], shape: [2, 2], dtype: .float64)
        // 2^53 + 1 is not a double: it rounds to 2^53 (ties to even), as numpy's astype(float) does.
        assertTensor(try Npy.load(path: fixture("i64_3")), [-5, 0, 9007199254740992], shape: [3], dtype: .float64)
        assertTensor(try Npy.load(path: fixture("f64_0d")), [2.5], shape: [], dtype: .float64)
        assertTensor(try Npy.load(path: fixture("f32_empty_0x3")), [], shape: [0, 3], dtype: .float32)
    }

    func testUnsupportedLayoutsGiveClearErrors() throws {
        let f = try fixture("f64_fortran")
        assertTensorError("tensor.load: \(f): Fortran-order arrays are not supported; save with numpy.ascontiguousarray") {
            try Npy.load(path: f)
        }
        let b = try fixture("f64_bigendian")
        assertTensorError("tensor.load: \(b): big-endian arrays ('>f8') are not supported; convert with arr.astype(arr.dtype.newbyteorder('<'))") {
            try Npy.load(path: b)
        }
    }

    func testEncodeMatchesNumpyByteForByte() throws {
        XCTAssertEqual(Npy.encode(T([1.5, -2.0, 0.25, 3.0, 1e-3, -7.125], [2, 3])), try bytes("f64_2x3"))
        XCTAssertEqual(Npy.encode(T([0.5, -1.25, 3.0, 100.0], [4], .float32)), try bytes("f32_1d"))
        XCTAssertEqual(Npy.encode(T([2.5], [])), try bytes("f64_0d"))
        XCTAssertEqual(Npy.encode(T([], [0, 3], .float32)), try bytes("f32_empty_0x3"))
        // A transposed view is written in logical (row-major) order.
        let stored = T([1.5, 3.0, -2.0, 1e-3, 0.25, -7.125], [3, 2])
        XCTAssertEqual(Npy.encode(try stored.t()), try bytes("f64_2x3"))
    }

    func testHeaderLengthsAreAligned() {
        for shape in [[], [1], [7, 3], [1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]] {
            let b = Npy.encode(Tensor(zeros: shape))
            let headerLength = Int(b[8]) | Int(b[9]) << 8
            XCTAssertEqual((10 + headerLength) % 64, 0, "\(shape)")
            XCTAssertEqual(b[10 + headerLength - 1], UInt8(ascii: "\n"))
            XCTAssertEqual(b.count, 10 + headerLength + 8 * Tensor.elementCount(shape))
        }
    }

    func testRoundTrip() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("npy-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var g = Generator(seed: 11)
        for dtype in allDTypes {
            for shape in [[], [5], [3, 4], [2, 0, 3], [2, 3, 4]] {
                let t = Tensor.randn(shape, dtype: dtype, generator: &g)
                let path = dir.appendingPathComponent("t.npy").path
                try Npy.save(t, path: path)
                let back = try Npy.load(path: path)
                XCTAssertEqual(back.dtype, dtype)
                XCTAssertEqual(back.shape, shape)
                XCTAssertEqual(back.toArray(), t.toArray(), "exact round trip \(dtype) \(shape)")
            }
        }
        // Only the final file is left behind (the temporary was renamed over it).
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["t.npy"])
        // A strided view round-trips with its logical values.
        let v = try T([1, 2, 3, 4, 5, 6], [2, 3]).t()
        try Npy.save(v, path: dir.appendingPathComponent("v.npy").path)
        assertTensor(try Npy.load(path: dir.appendingPathComponent("v.npy").path), [1, 4, 2, 5, 3, 6], shape: [3, 2])
    }

    func testBadFiles() throws {
        assertTensorError("tensor.load: cannot read '/nonexistent/x.npy' (no such file or directory)") { try Npy.load(path: "/nonexistent/x.npy") }
        assertTensorError("tensor.load: f: not a .npy file (bad magic bytes)") { try Npy.decode(Array("hello world".utf8), path: "f") }
        var good = try bytes("f64_2x3")
        assertTensorError("tensor.load: f: file holds 40 data bytes, shape (2x3) needs 48") {
            try Npy.decode(Array(good.dropLast(8)), path: "f")
        }
        assertTensorError("tensor.load: f: truncated header") { try Npy.decode(Array(good.prefix(40)), path: "f") }
        good[6] = 9
        assertTensorError("tensor.load: f: unsupported .npy format version 9.0") { try Npy.decode(good, path: "f") }
        var patched = Npy.encode(T([1], [1]))  // with '<f8' patched to '|b1'
        if let r = findBytes(patched, Array("<f8".utf8)) { patched.replaceSubrange(r..<r + 3, with: Array("|b1".utf8)) }
        assertTensorError("tensor.load: f: unsupported dtype '|b1' (expected <f8, <f4, <i4 or <i8)") { try Npy.decode(patched, path: "f") }
        let hugeHeader = "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999, 99999999999), }"
        let h = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(hugeHeader.utf8.count + 1), 0] + Array(hugeHeader.utf8) + [10]
        assertTensorError("tensor.load: f: shape (99999999999x99999999999) is too large") { try Npy.decode(h, path: "f") }
    }

    func findBytes(_ haystack: [UInt8], _ needle: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where Array(haystack[i..<i + needle.count]) == needle { return i }
        return nil
    }
}

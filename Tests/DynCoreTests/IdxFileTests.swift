import CZlib
import Foundation
import XCTest
@testable import DynCore

/// data.idx and data.fashion_mnist on idx files written here (plain and through zlib's gzip
/// writer), and on Debian's dataset-fashion-mnist when it is installed.
final class IdxFileTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "/idx-tests-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// An idx file's bytes: header for `type` and `shape`, then `payload` as given.
    func idx(_ type: UInt8, _ shape: [UInt32], _ payload: [UInt8]) -> [UInt8] {
        var b: [UInt8] = [0, 0, type, UInt8(shape.count)]
        for s in shape { b += [UInt8(s >> 24), UInt8(s >> 16 & 0xff), UInt8(s >> 8 & 0xff), UInt8(s & 0xff)] }
        return b + payload
    }

    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let path = dir + "/" + name
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    func writeGzip(_ name: String, _ bytes: [UInt8]) -> String {
        let path = dir + "/" + name
        let f = gzopen(path, "wb")!
        XCTAssertEqual(bytes.withUnsafeBytes { gzwrite(f, $0.baseAddress, UInt32($0.count)) }, Int32(bytes.count))
        XCTAssertEqual(gzclose(f), Z_OK)
        return path
    }

    func testEveryElementTypeBigEndianPlainAndGzip() throws {
        let cases: [(UInt8, [UInt8], [Double], DType)] = [
            (0x08, [0, 7, 255, 128], [0, 7, 255, 128], .float64),
            (0x09, [0, 7, 255, 128], [0, 7, -1, -128], .float64),
            (0x0B, [0x01, 0x02, 0xff, 0xfe, 0x80, 0x00, 0x00, 0x00], [258, -2, -32768, 0], .float64),
            (0x0C, [0, 0, 1, 0, 0xff, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 3],
             [256, -1, 2147483647, 3], .float64),
            // 1.5, -2, 0.1f (0x3dcccccd), 1e30f.
            (0x0D, [0x3f, 0xc0, 0, 0, 0xc0, 0, 0, 0, 0x3d, 0xcc, 0xcc, 0xcd, 0x71, 0x49, 0xf2, 0xca],
             [1.5, -2, Double(Float(0.1)), Double(Float(1e30))], .float32),
            // 1/3 and -0.5 in float64.
            (0x0E, [0x3f, 0xd5, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0xbf, 0xe0, 0, 0, 0, 0, 0, 0,
                    0, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x59, 0, 0, 0, 0, 0, 0], [1.0 / 3, -0.5, 0, 100], .float64),
        ]
        for (type, payload, want, dtype) in cases {
            let bytes = idx(type, [2, 2], payload)
            for path in [write("t\(type)", bytes), writeGzip("t\(type).gz", bytes)] {
                let t = try IdxFile.read(path: path)
                XCTAssertEqual(t.shape, [2, 2], path)
                XCTAssertEqual(t.dtype, dtype, path)
                XCTAssertEqual(t.toArray(), want, path)
            }
        }
    }

    func testDtypeAndDivisor() throws {
        let path = write("u8", idx(0x08, [3], [0, 51, 255]))
        let t = try IdxFile.read(path: path, dtype: .float32, divisor: 255)
        XCTAssertEqual(t.dtype, .float32)
        XCTAssertEqual(t.toArray(), [0, Double(Float(0.2)), 1])
    }

    /// A gzip file larger than the staging chunk, so decompression runs across many reads.
    func testLargeGzipCrossesChunks() throws {
        let n = 3 * IdxFile.chunkBytes / 2 + 7
        let payload = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 / 251) }
        let t = try IdxFile.read(path: writeGzip("big.gz", idx(0x08, [UInt32(n)], payload)))
        XCTAssertEqual(t.toArray(), payload.map(Double.init))
    }

    func testBadFilesGiveClearErrors() throws {
        let short = write("short", [0, 0, 8])
        assertTensorError("data.idx: '\(short)' is truncated (shorter than the 4-byte idx header)") { try IdxFile.read(path: short) }
        let magic = write("magic", [1, 0, 8, 1, 0, 0, 0, 1, 5])
        assertTensorError("data.idx: '\(magic)' is not an idx file (magic bytes 01 00 08 01; expected 00 00, a type byte 08, 09, 0b, 0c, 0d or 0e, and the rank)") { try IdxFile.read(path: magic) }
        let type = write("type", [0, 0, 0x0A, 1, 0, 0, 0, 1, 5])
        assertTensorError("data.idx: '\(type)' is not an idx file (magic bytes 00 00 0a 01; expected 00 00, a type byte 08, 09, 0b, 0c, 0d or 0e, and the rank)") { try IdxFile.read(path: type) }
        let rank0 = write("rank0", [0, 0, 8, 0])
        assertTensorError("data.idx: '\(rank0)' declares 0 dimensions (expected at least 1)") { try IdxFile.read(path: rank0) }
        let sizes = write("sizes", [0, 0, 8, 2, 0, 0, 0, 1])
        assertTensorError("data.idx: '\(sizes)' is truncated (its header declares 2 sizes)") { try IdxFile.read(path: sizes) }
        let data = write("data", idx(0x0C, [2, 3], [UInt8](repeating: 1, count: 23)))
        assertTensorError("data.idx: '\(data)' is truncated (shape (2x3) needs 24 bytes of data, the file has 23)") { try IdxFile.read(path: data) }
        let extra = write("extra", idx(0x08, [2], [1, 2, 3]))
        assertTensorError("data.idx: '\(extra)' has more data than its header's shape (2) holds") { try IdxFile.read(path: extra) }
        let gzExtra = writeGzip("extra.gz", idx(0x08, [2], [1, 2, 3]))
        assertTensorError("data.idx: '\(gzExtra)' has more data than its header's shape (2) holds") { try IdxFile.read(path: gzExtra) }
        let gzShort = writeGzip("short.gz", idx(0x08, [4, 4], [UInt8](repeating: 9, count: 15)))
        assertTensorError("data.idx: '\(gzShort)' is truncated (the data ends after 15 of 16 bytes)") { try IdxFile.read(path: gzShort) }
    }

    /// Sizes whose product overflows, or that no memory holds, fail in the checked allocator.
    func testHugeSizesAreRefusedBeforeAllocating() throws {
        let plain = write("huge", idx(0x0E, [0xffff_ffff, 0xffff_ffff, 0xffff_ffff], []))
        assertTensorError("data.idx: shape (4294967295x4294967295x4294967295) has too many elements") { try IdxFile.read(path: plain) }
        let gz = writeGzip("huge.gz", idx(0x0E, [0xffff_ffff, 0x7fff_ffff], [1, 2, 3]))
        assertTensorError("data.idx: a float64 tensor of shape (4294967295x2147483647) is too large (its size in bytes overflows)") { try IdxFile.read(path: gz) }
        // Fits in 64 bits but not in memory: the checked allocator refuses it.
        let gz2 = writeGzip("huge2.gz", idx(0x0E, [0xffff_ffff, 0xffff], [1, 2, 3]))
        XCTAssertThrowsError(try IdxFile.read(path: gz2)) { XCTAssertTrue("\($0)".hasPrefix("cannot allocate"), "\($0)") }
        let plain2 = write("huge2", idx(0x0E, [0xffff_ffff, 0xffff], [1, 2, 3]))
        assertTensorError("data.idx: '\(plain2)' is truncated (shape (4294967295x65535) needs 2251765453422600 bytes of data, the file has 3)") { try IdxFile.read(path: plain2) }
    }

    func testDamagedGzip() throws {
        let good = try Data(contentsOf: URL(fileURLWithPath: writeGzip("g.gz", idx(0x08, [64], [UInt8](repeating: 3, count: 64)))))
        var bytes = [UInt8](good)
        let cut = write("cut.gz", Array(bytes.prefix(bytes.count - 6)))
        assertTensorError("data.idx: '\(cut)' is truncated (the gzip data ends early)") { try IdxFile.read(path: cut) }
        bytes[bytes.count - 8] ^= 0xff  // the CRC-32 of the trailer
        let crc = write("crc.gz", bytes)
        assertTensorError("data.idx: '\(crc)' is not valid gzip data (incorrect data check)") { try IdxFile.read(path: crc) }
    }

    /// A miniature Fashion-MNIST directory: 3 training images with labels 9, 0, 4.
    func writeMiniature(labels: [UInt8] = [9, 0, 4]) {
        let pixels = (0..<(3 * 784)).map { UInt8($0 % 256) }
        _ = writeGzip("train-images-idx3-ubyte.gz", idx(0x08, [3, 28, 28], pixels))
        _ = write("train-labels-idx1-ubyte", idx(0x08, [3], labels))
    }

    func testFashionMNISTFromADirectory() throws {
        writeMiniature()
        let d = try FashionMNIST.load(split: .train, directory: dir)
        XCTAssertEqual(d.x.shape, [3, 1, 28, 28])
        XCTAssertEqual(d.x.dtype, .float32)
        XCTAssertEqual(d.y.toArray(), [10, 1, 5])
        XCTAssertEqual(d.x.value(at: [1, 0, 0, 0]), Double(Float(Double(784 % 256) / 255)))
        XCTAssertEqual(d.x.value(at: [2, 0, 27, 27]), Double(Float(Double((3 * 784 - 1) % 256) / 255)))
        let first = try FashionMNIST.load(split: .train, n: 2, directory: dir)
        XCTAssertEqual(first.y.toArray(), [10, 1])
        XCTAssertEqual(first.x.toArray(), Array(d.x.toArray().prefix(2 * 784)))
        var g = Generator(seed: 5)
        let order = Array(g.permutation(3).prefix(2))
        let random = try FashionMNIST.load(split: .train, n: 2, seed: 5, directory: dir)
        XCTAssertEqual(random.y.toArray(), order.map { [10.0, 1, 5][$0] })
        XCTAssertEqual(random.x.value(at: [1, 0, 3, 4]), d.x.value(at: [order[1], 0, 3, 4]))
        assertTensorError("data.fashion_mnist: option 'n' must be between 1 and 3 (the train split's size), got 4") {
            try FashionMNIST.load(split: .train, n: 4, directory: dir)
        }
        assertTensorError("data.fashion_mnist: cannot find t10k-images-idx3-ubyte(.gz) in \(dir); install Debian's dataset-fashion-mnist package (apt-get install dataset-fashion-mnist) or pass the directory holding the files as 'dir'") {
            try FashionMNIST.load(split: .test, directory: dir)
        }
    }

    func testFashionMNISTRejectsBadLabels() throws {
        writeMiniature(labels: [9, 10, 4])
        assertTensorError("data.fashion_mnist: '\(dir)/train-labels-idx1-ubyte' has label 10 at position 2, expected 0..9") {
            try FashionMNIST.load(split: .train, directory: dir)
        }
    }

    /// The real package's first test images.
    func testDebianPackageFirstImages() throws {
        let labels = FashionMNIST.defaultDirectory + "/t10k-labels-idx1-ubyte.gz"
        // scripts/ install the package (ensure_system_packages): its absence is a set-up failure.
        guard FileManager.default.fileExists(atPath: labels) else {
            return XCTFail("dataset-fashion-mnist is not installed (scripts/test installs it)")
        }
        let d = try FashionMNIST.load(split: .test, n: 4)
        XCTAssertEqual(d.x.shape, [4, 1, 28, 28])
        // The published first test labels: ankle boot, pullover, trouser, trouser (0-based 9, 2, 1, 1).
        XCTAssertEqual(d.y.toArray(), [10, 3, 2, 2])
        let x = d.x.toArray()
        XCTAssertEqual(x.min(), 0)
        XCTAssertEqual(x.max(), 1)
        for v in x { XCTAssertEqual(v * 255, (v * 255).rounded(), accuracy: 1e-4) }
        // The training split holds 60,000 labels (the labels file alone: its 188 MB of images
        // would raise this test process's peak resident size, which MemoryTests bounds).
        let trainLabels = try IdxFile.read(path: FashionMNIST.defaultDirectory + "/train-labels-idx1-ubyte.gz")
        XCTAssertEqual(trainLabels.shape, [60000])
    }
}

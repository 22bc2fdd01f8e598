import Foundation
import XCTest
@testable import DynCore

final class NNCheckpointTests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "nn-checkpoint-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func model() throws -> Sequential {
        try Sequential([try Linear(2, 5), ReLU(), try Sequential([try Linear(5, 4, bias: false), Tanh()]),
                        Sigmoid(), Identity(), try Linear(4, 3), Softmax(), LogSoftmax()])
    }

    func testRoundTripRestoresIdenticalParameters() throws {
        let m = try model()
        // Values whose decimal text is long, and extremes.
        try m.parameters[0].copy(from: Tensor(shape: [2, 5], values: [0.1, 1.0 / 3, -2e-308, 1e300, -0.0, .pi, Double.leastNonzeroMagnitude, 1, -1, 123456789.123456789]))
        let path = dir + "/m.dynlua"
        try Checkpoint.save(m, path: path)
        let back = try Checkpoint.load(path: path)
        XCTAssertEqual(back.description, m.description)
        XCTAssertEqual(back.parameters.count, m.parameters.count)
        for (a, b) in zip(back.parameters, m.parameters) {
            XCTAssertEqual(a.shape, b.shape)
            XCTAssertEqual(a.dtype, b.dtype)
            XCTAssertEqual(a.toArray().map(\.bitPattern), b.toArray().map(\.bitPattern))
        }
        let x = try FD.random([3, 2], seed: 1)
        XCTAssertEqual(try back.forward(x).toArray(), try m.forward(x).toArray())
        // No temporary file is left beside it.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["m.dynlua"])
    }

    func testFloat32RoundTrip() throws {
        let m = try model()
        try m.convert(to: .float32)
        let path = dir + "/m32.dynlua"
        try Checkpoint.save(m, path: path)
        let back = try Checkpoint.load(path: path)
        XCTAssertEqual(back.dtype, .float32)
        for (a, b) in zip(back.parameters, m.parameters) {
            XCTAssertEqual(a.dtype, .float32)
            XCTAssertEqual(a.toArray(), b.toArray())
        }
    }

    func testFormatIsTheDocumentedText() throws {
        let m = try Sequential([try Linear(weight: Tensor(shape: [2, 2], values: [0.5, -1, 0.25, 2]), bias: Tensor(shape: [2], values: [0.1, 0])), ReLU()])
        // 13cc9b81ce015477: the FNV-1a hash of the lines above, computed independently (Python).
        XCTAssertEqual(try Checkpoint.text(of: m),
                       "dynlua-model 2\nSequential 2\nLinear 2 2 bias float64\n0.5 -1.0\n0.25 2.0\n0.1 0.0\nReLU\nend\n"
                       + "checksum fnv1a64 13cc9b81ce015477\n")
    }

    func loadError(_ text: String) -> String {
        let path = dir + "/bad.dynlua"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
        do { _ = try Checkpoint.load(path: path); return "no error" } catch { return (error as! TensorError).message }
    }

    func testCorruptFilesGiveClearErrors() throws {
        let p = dir + "/bad.dynlua"
        XCTAssertEqual(loadError("-- lua code\nreturn 1\n"),
                       "nn.load: '\(p)' is not a dynlua model file (first line '-- lua code', expected 'dynlua-model 2')")
        XCTAssertEqual(loadError(""), "nn.load: '\(p)' is not a dynlua model file (first line '', expected 'dynlua-model 2')")
        XCTAssertEqual(loadError("dynlua-model 3\nReLU\nend\n"), "nn.load: '\(p)' has format version 3; this dynlua reads version 1 to 2")
        XCTAssertEqual(loadError("dynlua-model 2\nReLU\nend\n"),
                       "nn.load: '\(p)' is damaged: the checksum line is missing (the file is truncated or was edited)")
        let sealed = try Checkpoint.text(of: try Sequential([try Linear(2, 3), Tanh()]))
        XCTAssertEqual(loadError(sealed), "no error")
        XCTAssertEqual(loadError(sealed.replacingOccurrences(of: "Tanh", with: "ReLU")),
                       "nn.load: '\(p)' is damaged: the checksum does not match (the file is damaged or was edited)")
        // The same model in version 1 (no checksum line): still read; its structure errors below.
        let good = sealed.replacingOccurrences(of: "dynlua-model 2", with: "dynlua-model 1")
            .split(separator: "\n").dropLast().joined(separator: "\n") + "\n"
        XCTAssertEqual(loadError(good), "no error")
        // Cut after the weight rows: the bias line is missing.
        let lines = good.split(separator: "\n")
        XCTAssertEqual(loadError(lines[0..<5].joined(separator: "\n") + "\n"),
                       "nn.load: '\(p)' is truncated (the file ends where the bias was expected)")
        XCTAssertEqual(loadError(lines[0..<7].joined(separator: "\n") + "\n"),
                       "nn.load: '\(p)' is truncated (the file ends where the final 'end' line was expected)")
        // A row cut in the middle of a number list.
        let shortRow = lines[3].split(separator: " ").dropLast().joined(separator: " ")
        XCTAssertEqual(loadError((lines[0..<3] + [Substring(shortRow)] + lines[4...]).joined(separator: "\n")),
                       "nn.load: '\(p)' is corrupt at line 4: expected 3 numbers (a weight row), found 2")
        XCTAssertEqual(loadError("dynlua-model 1\nLinear 1 2 bias float64\n1 x\n1 2\nend\n"),
                       "nn.load: '\(p)' is corrupt at line 3: 'x' is not a number")
        XCTAssertEqual(loadError("dynlua-model 1\nConv3d 3\nend\n"), "nn.load: '\(p)' is corrupt at line 2: unknown module 'Conv3d 3'")
        XCTAssertEqual(loadError("dynlua-model 1\nConv2d 3\nend\n"),
                       "nn.load: '\(p)' is corrupt at line 2: expected 'Conv2d <in> <out> <kh> <kw> <stride_h> <stride_w> <padding_h> <padding_w> <bias|nobias> <float64|float32>'")
        XCTAssertEqual(loadError("dynlua-model 1\nConv2d 70000 1 1 1 1 1 0 0 bias float64\nend\n"),
                       "nn.load: '\(p)' is corrupt at line 2: Conv2d channel counts must be between 1 and 65536, got 70000 -> 1")
        XCTAssertEqual(loadError("dynlua-model 1\nReLU\nend\nmore\n"), "nn.load: '\(p)' is corrupt at line 4: unexpected text after 'end'")
        XCTAssertTrue(FileManager.default.createFile(atPath: p, contents: Data([0x1b, 0x4c, 0x75, 0x61, 0x54, 0x00, 0xff, 0xfe])))
        XCTAssertThrowsError(try Checkpoint.load(path: p)) {
            XCTAssertTrue(($0 as! TensorError).message.hasPrefix("nn.load: '\(p)' is not a dynlua model file"))
        }
        XCTAssertThrowsError(try Checkpoint.load(path: dir + "/missing")) {
            XCTAssertEqual(($0 as! TensorError).message, "nn.load: cannot read '\(self.dir!)/missing' (no such file or directory)")
        }
    }

    /// Dropout, BatchNorm2d and GlobalAvgPool2d lines: the documented text, a round trip that
    /// keeps the running statistics and the dropout pass count, and each malformed line's error.
    func testNormalizationLayerLines() throws {
        let bn = try BatchNorm2d(weight: Tensor(shape: [2], values: [1.5, -1]), bias: Tensor(shape: [2], values: [0.25, 0]),
                                 runningMean: Tensor(shape: [2], values: [0.1, -3]), runningVar: Tensor(shape: [2], values: [2, 0.5]),
                                 eps: 1e-3, momentum: 0.2)
        let d = try Dropout(p: 0.25, seed: 18446744073709551615)
        d.passes = 7
        let m = try Sequential([bn, d, GlobalAvgPool2d()])
        let text = try Checkpoint.text(of: m)
        XCTAssertTrue(text.hasPrefix("dynlua-model 2\nSequential 3\nBatchNorm2d 2 0.001 0.2 float64\n1.5 -1.0\n0.25 0.0\n0.1 -3.0\n2.0 0.5\n"
                                     + "Dropout 0.25 18446744073709551615 7\nGlobalAvgPool2d\nend\n"), text)
        let back = try Checkpoint.parse(text, name: "m") as! Sequential
        let bn2 = back.modules[0] as! BatchNorm2d, d2 = back.modules[1] as! Dropout
        XCTAssertEqual(bn2.runningMean.toArray(), [0.1, -3])
        XCTAssertEqual(bn2.runningVar.toArray(), [2, 0.5])
        XCTAssertEqual([bn2.eps, bn2.momentum], [1e-3, 0.2])
        XCTAssertEqual(d2.seed, d.seed)
        XCTAssertEqual(d2.passes, 7)
        let x = try FD.random([2, 2, 3, 3], seed: 4)
        XCTAssertEqual(try back.forward(x).toArray(), try m.forward(x).toArray())

        let p = dir + "/bad.dynlua"
        func line(_ n: Int, _ what: String) -> String { "nn.load: '\(p)' is corrupt at line \(n): \(what)" }
        let dropoutForm = "expected 'Dropout <p> <seed> <passes>' (passes an integer in 0...2^53)"
        XCTAssertEqual(loadError("dynlua-model 1\nDropout 0.5 1\nend\n"), line(2, dropoutForm))
        XCTAssertEqual(loadError("dynlua-model 1\nDropout 0.5 -1 0\nend\n"), line(2, dropoutForm))
        XCTAssertEqual(loadError("dynlua-model 1\nDropout 0.5 1 -3\nend\n"), line(2, dropoutForm))
        XCTAssertEqual(loadError("dynlua-model 1\nDropout 0.5 1 9007199254740993\nend\n"), line(2, dropoutForm))
        XCTAssertEqual(loadError("dynlua-model 1\nDropout 1.5 1 0\nend\n"), line(2, "Dropout: p must be in [0, 1), got 1.5"))
        XCTAssertEqual(loadError("dynlua-model 1\nDropout nan 1 0\nend\n"), line(2, "Dropout: p must be in [0, 1), got nan"))
        let bnForm = "expected 'BatchNorm2d <channels> <eps> <momentum> <float64|float32>'"
        XCTAssertEqual(loadError("dynlua-model 1\nBatchNorm2d 2 0.1 0.1\nend\n"), line(2, bnForm))
        XCTAssertEqual(loadError("dynlua-model 1\nBatchNorm2d 2 0.1 0.1 float16\nend\n"), line(2, bnForm))
        XCTAssertEqual(loadError("dynlua-model 1\nBatchNorm2d 70000 0.1 0.1 float64\nend\n"),
                       line(2, "BatchNorm2d: channel count must be between 1 and 65536, got 70000"))
        XCTAssertEqual(loadError("dynlua-model 1\nBatchNorm2d 2 0 0.1 float64\nend\n"), line(2, "BatchNorm2d: eps must be positive and finite, got 0"))
        XCTAssertEqual(loadError("dynlua-model 1\nBatchNorm2d 2 1e-5 -1 float64\nend\n"), line(2, "BatchNorm2d: momentum must be in [0, 1], got -1"))
        XCTAssertEqual(loadError("dynlua-model 1\nBatchNorm2d 2 1e-5 0.1 float64\n1 1\n0 0\n0 0\nend\n"),
                       line(6, "expected 2 numbers (the running var), found 1"))
        XCTAssertEqual(loadError("dynlua-model 1\nBatchNorm2d 2 1e-5 0.1 float64\n1 1\n0 0\n"),
                       "nn.load: '\(p)' is truncated (the file ends where the running mean was expected)")
        XCTAssertEqual(loadError("dynlua-model 1\nGlobalAvgPool2d 2\nend\n"), line(2, "unknown module 'GlobalAvgPool2d 2'"))
    }

    func testSaveToUnwritablePlaceFails() throws {
        XCTAssertThrowsError(try Checkpoint.save(try Sequential([ReLU()]), path: dir + "/no/such/dir/m.dynlua"))
    }
}

/// Model files of format version 2: a checksum catches damage, CRLF copies still load.
final class NNCheckpointIntegrityTests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "dynlua-integrity-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func parameterBits(_ m: Module) -> [UInt64] {
        m.parameters.flatMap { $0.toArray().map(\.bitPattern) }
    }

    /// Every single-bit flip of a saved file is rejected, or (never, in practice) loads the same
    /// model; before version 2, 10 of 60 flipped files loaded with changed values.
    func testEveryFlippedBitIsRejected() throws {
        var g = Generator(seed: 3)
        let m = try Sequential([try Linear(2, 3), ReLU(), try Linear(3, 2, bias: false)])
        for p in m.parameters { p.fillEach { g.normal() } }
        let text = Array(try Checkpoint.text(of: m).utf8)
        let reference = parameterBits(m)
        var rejected = 0, identical = 0
        for bit in 0..<(text.count * 8) {
            var bytes = text
            bytes[bit / 8] ^= UInt8(1 << (bit % 8))
            do {
                // What Checkpoint.load does after reading the file.
                guard let flipped = String(validating: bytes, as: UTF8.self) else { throw TensorError("not UTF-8") }
                let back = try Checkpoint.parse(flipped, name: "flip")
                XCTAssertEqual(parameterBits(back), reference, "bit \(bit) loaded other values")
                XCTAssertEqual(back.description, m.description, "bit \(bit) loaded another structure")
                identical += 1
            } catch {
                rejected += 1
            }
        }
        XCTAssertEqual(rejected + identical, text.count * 8)
        XCTAssertEqual(identical, 0)
    }

    func testCRLFLineEndsLoadTheSameModel() throws {
        let m = try Sequential([try Linear(2, 3), Tanh()])
        let crlf = try Checkpoint.text(of: m).replacingOccurrences(of: "\n", with: "\r\n")
        let path = dir + "/crlf.dynlua"
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(crlf.utf8)))
        XCTAssertEqual(parameterBits(try Checkpoint.load(path: path)), parameterBits(m))
    }
}

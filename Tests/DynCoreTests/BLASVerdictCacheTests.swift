import XCTest
@testable import DynCore

final class BLASVerdictCacheTests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "dynlua-blas-cache-\(UUID().uuidString)"
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func testDirectoryFollowsXDGThenHome() {
        typealias C = BLASVerdictCache
        XCTAssertEqual(C.directory(environment: ["XDG_CACHE_HOME": "/x/cache", "HOME": "/home/u"]), "/x/cache/dynlua")
        // The XDG specification: a relative path is invalid and ignored.
        XCTAssertEqual(C.directory(environment: ["XDG_CACHE_HOME": "rel", "HOME": "/home/u"]), "/home/u/.cache/dynlua")
        XCTAssertEqual(C.directory(environment: ["HOME": "/home/u"]), "/home/u/.cache/dynlua")
        XCTAssertNil(C.directory(environment: [:]))
    }

    func testVerdictsRoundTripPerKey() throws {
        let cache = BLASVerdictCache(directory: dir + "/nested/dynlua")
        XCTAssertNil(cache.verdict(for: "a"))
        cache.record(passed: true, detail: "", for: "a")
        cache.record(passed: false, detail: "sgemm wrong\nsecond line", for: "b")
        XCTAssertEqual(cache.verdict(for: "a"), true)
        XCTAssertEqual(cache.verdict(for: "b"), false)
        XCTAssertNil(cache.verdict(for: "c"))
        let text = try String(contentsOfFile: cache.path(for: "b"), encoding: .utf8)
        XCTAssertEqual(text, "b\nfail: sgemm wrong second line\n")
        // Nothing but the two verdicts: no temporary file left behind.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: cache.directory).count, 2)
    }

    func testAnotherKeyInTheSameFileIsAMiss() throws {
        // What a hash collision, or a file from elsewhere, looks like.
        let cache = BLASVerdictCache(directory: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "other key\npass\n".write(toFile: cache.path(for: "mine"), atomically: true, encoding: .utf8)
        XCTAssertNil(cache.verdict(for: "mine"))
        try "mine\ngarbage\n".write(toFile: cache.path(for: "mine"), atomically: true, encoding: .utf8)
        XCTAssertNil(cache.verdict(for: "mine"))
    }

    func testUnwritableCacheIsNotAnError() throws {
        // A file where the directory should be: recording fails quietly, reading misses.
        try "x".write(toFile: dir, atomically: true, encoding: .utf8)
        let cache = BLASVerdictCache(directory: dir + "/dynlua")
        cache.record(passed: true, detail: "", for: "a")
        XCTAssertNil(cache.verdict(for: "a"))
    }

    func testKeyNamesProcessorLibraryAndFamily() {
        let cpu = CPUFeatures(vendor: "GenuineIntel", usable: [], signature: "GenuineIntel Xeon [806f8]")
        let key = BLASVerdictCache.key(cpu: cpu, libraryConfig: "OpenBLAS 0.3.21 DYNAMIC_ARCH", family: "SkylakeX")
        XCTAssertEqual(key, "openblas-core-v1 | GenuineIntel Xeon [806f8] | OpenBLAS 0.3.21 DYNAMIC_ARCH | SkylakeX")
        XCTAssertNotEqual(BLASVerdictCache(directory: "/d").path(for: key),
                          BLASVerdictCache(directory: "/d").path(for: key + "x"))
    }
}

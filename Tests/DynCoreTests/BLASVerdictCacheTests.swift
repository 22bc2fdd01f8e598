import CBLASStart
import CCpuid
import XCTest
@testable import DynCore

/// The verdict cache: written by Swift, read by the C the executable's pre-initializer runs.
final class BLASVerdictCacheTests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "dynlua-blas-cache-\(UUID().uuidString)"
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    func testDirectoryFollowsXDGThenHome() {
        typealias C = BLASVerdictCache
        XCTAssertEqual(C.directory(xdgCacheHome: "/x/cache", home: "/home/u"), "/x/cache/dynlua")
        // The XDG specification: a relative path is invalid and ignored.
        XCTAssertEqual(C.directory(xdgCacheHome: "rel", home: "/home/u"), "/home/u/.cache/dynlua")
        XCTAssertEqual(C.directory(xdgCacheHome: nil, home: "/home/u"), "/home/u/.cache/dynlua")
        XCTAssertNil(C.directory(xdgCacheHome: "", home: "relative"))
        XCTAssertNil(C.directory(xdgCacheHome: nil, home: nil))
        XCTAssertNil(C.directory(xdgCacheHome: "/" + String(repeating: "d", count: Int(PATH_MAX)), home: nil))
    }

    func testVerdictsRoundTripPerKey() throws {
        let cache = BLASVerdictCache(directory: dir + "/nested/dynlua")
        XCTAssertNil(cache.verdict(for: "a"))
        cache.record(.use("SkylakeX"), for: "a")
        cache.record(.keep, detail: "sgemm wrong\nsecond line", for: "b")
        XCTAssertEqual(cache.verdict(for: "a"), .use("SkylakeX"))
        XCTAssertEqual(cache.verdict(for: "b"), .keep)
        XCTAssertNil(cache.verdict(for: "c"))
        XCTAssertEqual(try String(contentsOfFile: cache.path(for: "a"), encoding: .utf8), "a\nuse SkylakeX\n")
        XCTAssertEqual(try String(contentsOfFile: cache.path(for: "b"), encoding: .utf8), "b\nkeep: sgemm wrong second line\n")
        // Nothing but the two verdicts: no temporary file left behind.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: cache.directory).count, 2)
    }

    func testAnotherKeyOrAMangledFileIsAMiss() throws {
        let cache = BLASVerdictCache(directory: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for text in ["other key\nuse SkylakeX\n",   // a hash collision, or a file from elsewhere
                     "mine-longer\nuse SkylakeX\n", // a key that merely starts with ours
                     "mine\ngarbage\n", "mine\nuse \n", "mine\nuse SkylakeX", "mine", ""] {
            try text.write(toFile: cache.path(for: "mine"), atomically: true, encoding: .utf8)
            XCTAssertNil(cache.verdict(for: "mine"), text)
        }
    }

    func testUnwritableCacheIsNotAnError() throws {
        // A file where the directory should be: recording fails quietly, reading misses.
        try "x".write(toFile: dir, atomically: true, encoding: .utf8)
        let cache = BLASVerdictCache(directory: dir + "/dynlua")
        cache.record(.use("Haswell"), for: "a")
        XCTAssertNil(cache.verdict(for: "a"))
    }

    func testKeyNamesProcessorAndLibraryFile() throws {
        let key = try XCTUnwrap(BLASVerdictCache.currentKey())
        var cpu = [CChar](repeating: 0, count: 160)
        dyn_cpu_key(&cpu, cpu.count)
        XCTAssertTrue(key.hasPrefix("openblas-core-v3 | \(String(cString: cpu)) | /"), key)
        XCTAssertTrue(key.contains("libopenblas"), key)
        XCTAssertTrue(key.hasSuffix(" | "), "no test variable: \(key)")
        XCTAssertNotEqual(BLASVerdictCache(directory: "/d").path(for: key),
                          BLASVerdictCache(directory: "/d").path(for: key + "x"))
    }

    /// What the executable's pre-initializer decides, from an environment array as it gets one
    /// (the exec itself runs in BLASSelectionCLITests).
    func testPreInitializerActsOnAUseVerdictOnly() throws {
        let key = try XCTUnwrap(BLASVerdictCache.currentKey())
        let cache = BLASVerdictCache(directory: dir + "/dynlua")
        func decide(_ variables: [String]) -> String? {
            var pointers: [UnsafeMutablePointer<CChar>?] = (["XDG_CACHE_HOME=" + dir] + variables).map { strdup($0) } + [nil]
            defer { pointers.forEach { free($0) } }
            var family = [CChar](repeating: 0, count: 64)
            return dyn_blas_cached_family(&pointers, &family, family.count) == 1 ? String(cString: family) : nil
        }
        XCTAssertNil(decide([]), "no verdict")
        cache.record(.keep, detail: "x", for: key)
        XCTAssertNil(decide([]), "keep")
        cache.record(.use("Nehalem"), for: key)
        XCTAssertEqual(decide([]), "Nehalem")
        XCTAssertEqual(decide(["OPENBLAS_CORETYPEX=1", "HOME=/nowhere"]), "Nehalem", "only exact names count")
        XCTAssertNil(decide(["OPENBLAS_CORETYPE=Haswell"]), "the user's choice wins")
        XCTAssertNil(decide(["DYNLUA_BLAS_CORE_CHOSEN=1"]), "already re-executed")
        XCTAssertNil(decide(["DYNLUA_BLAS_SELF_TEST=SkylakeX"]), "the self-test child")
        XCTAssertNil(decide(["DYNLUA_TEST_BLAS_DEFAULT=Prescott"]), "another key")
    }
}

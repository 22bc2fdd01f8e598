import DynCore
import Foundation
import XCTest

/// The kernel choice at start-up, run for real: the executable, its self-test child, the cache
/// and the re-execution. The test-only variables make OpenBLAS's own choice look older than it is
/// (so the whole path runs on a machine where OpenBLAS already picks well) and break the self-test.
final class BLASSelectionCLITests: XCTestCase {
    let pretend = BLASKernelSelection.testPretendDefault
    let breakSelfTest = BLASKernelSelection.testBreakSelfTest
    var dir: URL!
    var cacheHome: String { dir.appendingPathComponent("cache").path }
    var cacheDir: String { cacheHome + "/dynlua" }

    override func setUpWithError() throws {
        if ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] != nil {
            throw XCTSkip("OPENBLAS_CORETYPE is set: this process does not run OpenBLAS's own choice")
        }
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("dynlua-blas-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let dir { try? FileManager.default.removeItem(at: dir) }
    }

    /// OpenBLAS's own choice on this machine (this test process runs it: no OPENBLAS_CORETYPE).
    let defaultCore = BLASInfo.core

    /// The family dynlua moves to when OpenBLAS seems to have chosen Prescott.
    func upgradeFromPrescott() throws -> String {
        guard let family = BLASCoreChoice.upgrade(from: "Prescott", cpu: .current()) else {
            throw XCTSkip("this processor runs nothing newer than Prescott")
        }
        return family
    }

    /// Runs dynlua with a fresh cache directory and `extra` added to a clean environment.
    func run(_ args: [String], _ extra: [String: String], stdin: String = "") throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = CLITests.executable
        p.arguments = args
        p.currentDirectoryURL = dir
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("DYNLUA_") }
        env["XDG_CACHE_HOME"] = cacheHome
        env.merge(extra) { $1 }
        p.environment = env
        let input = Pipe(), output = Pipe(), errors = Pipe()
        (p.standardInput, p.standardOutput, p.standardError) = (input, output, errors)
        try p.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    /// The cache's files: (first line, verdict line) each.
    func cacheEntries() throws -> [(key: String, verdict: String)] {
        guard FileManager.default.fileExists(atPath: cacheDir) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: cacheDir).map { name in
            let lines = try String(contentsOfFile: cacheDir + "/" + name, encoding: .utf8).split(separator: "\n")
            return (String(lines[0]), String(lines[1]))
        }
    }

    let showCoreAndEnvironment = "io.write(sys.blas().core, ' ', tostring(os.getenv('OPENBLAS_CORETYPE')), ' ', tostring(os.getenv('DYNLUA_BLAS_CORE_CHOSEN')))"

    func testNewerFamilyRunsAndTheScriptSeesTheUsersEnvironment() throws {
        let family = try upgradeFromPrescott()
        try "print(sys.blas().core, os.getenv('OPENBLAS_CORETYPE'), os.getenv('DYNLUA_BLAS_CORE_CHOSEN'))\nprint(arg[0], arg[1], arg[2], select('#', ...), io.read('l'))\nos.exit(7)\n"
            .write(to: dir.appendingPathComponent("s.lua"), atomically: true, encoding: .utf8)
        let r = try run(["s.lua", "a b", "c"], [pretend: "Prescott"], stdin: "from stdin\n")
        // Arguments, standard input and exit status all survive the re-execution.
        XCTAssertEqual(r.out, "\(family)\tnil\tnil\ns.lua\ta b\tc\t2\tfrom stdin\n")
        XCTAssertEqual(r.err, "")
        XCTAssertEqual(r.status, 7)
        let entries = try cacheEntries()
        XCTAssertEqual(entries.count, 1)
        XCTAssertTrue(entries.first?.key.hasSuffix(" | Prescott") ?? false, "\(entries)")
        XCTAssertEqual(entries.first?.verdict, "use \(family)")
    }

    /// A float32 product through BLAS against a plain loop: the largest difference, which must be
    /// within float32 rounding of sums of 40 products of numbers below 1.
    let productCheck = """
        tensor.seed(1)
        local a, b = tensor.rand(33, 40, "float32"), tensor.rand(40, 17, "float32")
        local c, worst = a:matmul(b), 0
        for i = 1, 33 do for j = 1, 17 do
          local s = 0
          for k = 1, 40 do s = s + a:get(i, k) * b:get(k, j) end
          worst = math.max(worst, math.abs(c:get(i, j) - s))
        end end
        io.write(' ', worst < 1e-4 and 'right' or tostring(worst))
        """

    func testCachedVerdictAppliesBeforeOpenBLASStarts() throws {
        let family = try upgradeFromPrescott()
        // First run: OpenBLAS's constructor chooses in both processes (OPENBLAS_VERBOSE=2 shows
        // it), its own family and then, after the exec, the new one.
        let first = try run(["-e", showCoreAndEnvironment], [pretend: "Prescott", "OPENBLAS_VERBOSE": "2"])
        XCTAssertEqual(first.out, "\(family) nil nil")
        XCTAssertTrue(first.err.contains("Core: \(defaultCore)\n") && first.err.hasSuffix("Core: \(family)\n"), first.err)
        // Next: a self-test would crash, so none runs; the family is chosen before OpenBLAS's
        // constructor (which reports no choice of its own), and products on it are right.
        let r = try run(["-e", showCoreAndEnvironment, "-e", productCheck],
                        [pretend: "Prescott", breakSelfTest: "crash", "OPENBLAS_VERBOSE": "2"])
        XCTAssertEqual(r.out, "\(family) nil nil right")
        XCTAssertEqual(r.err, "")
    }

    func testCrashingKernelsFallBackToOpenBLASsChoiceAndAreRemembered() throws {
        let family = try upgradeFromPrescott()
        let r = try run(["-e", showCoreAndEnvironment], [pretend: "Prescott", breakSelfTest: "crash"])
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.out, "\(defaultCore) nil nil")
        XCTAssertEqual(r.err, "dynlua: OpenBLAS's \(family) kernels failed a self-test (killed by signal 11); keeping \(defaultCore)\n")
        XCTAssertEqual(try cacheEntries().map(\.verdict), ["keep: \(family) failed: killed by signal 11"])
        // Next time the failure is known: no test, no message.
        let again = try run(["-e", showCoreAndEnvironment], [pretend: "Prescott"])
        XCTAssertEqual(again.out, "\(defaultCore) nil nil")
        XCTAssertEqual(again.err, "")
    }

    func testWrongResultsFallBackToOpenBLASsChoice() throws {
        let family = try upgradeFromPrescott()
        let r = try run(["-e", "io.write(sys.blas().core)"], [pretend: "Prescott", breakSelfTest: "fail"])
        XCTAssertEqual(r.out, defaultCore)
        XCTAssertTrue(r.err.contains("failed a self-test (sgemm(N, N, m=1, n=1, k=1, alpha=1.0, beta=0.0): C[0, 0] = "), r.err)
        XCTAssertTrue(try cacheEntries().first?.verdict.hasPrefix("keep: \(family) failed: sgemm(N, N, m=1") ?? false)
    }

    func testUsersCoreTypeAlwaysWins() throws {
        let r = try run(["-e", showCoreAndEnvironment], [pretend: "Prescott", "OPENBLAS_CORETYPE": "Nehalem"])
        XCTAssertEqual(r.out, "Nehalem Nehalem nil")
        XCTAssertFalse(FileManager.default.fileExists(atPath: cacheDir), "no self-test, no cache")
    }

    func testOpenBLASsOwnChoiceIsKeptWhenItIsTheNewest() throws {
        let expected = BLASCoreChoice.upgrade(from: defaultCore, cpu: .current())
        let r = try run(["-e", showCoreAndEnvironment], [:])
        XCTAssertEqual(r.out, "\(expected ?? defaultCore) nil nil")
        if expected == nil {
            XCTAssertFalse(FileManager.default.fileExists(atPath: cacheDir), "no self-test, no cache")
        }
    }

    func testVersionBannerNamesTheCoreInUse() throws {
        let family = try upgradeFromPrescott()
        let r = try run(["-v"], [pretend: "Prescott"])
        XCTAssertTrue(r.out.hasPrefix("dynlua "), r.out)
        XCTAssertTrue(r.out.hasSuffix(", OpenBLAS \(BLASInfo.version), core \(family))\n"), r.out)
    }
}

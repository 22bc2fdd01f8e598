import Foundation
import XCTest

/// The fuzz harness in CI: scripts/fuzz runs Tests/Fuzz/fuzz.lua (hostile calls of every
/// function, method and metamethod) in child dynlua processes under a memory limit (ulimit -v)
/// and a hang detector. Any process death or hang fails the test with the seed, the call and
/// how to reproduce it. The seeds are fixed, so a failure reproduces exactly.
final class FuzzTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    func testTenThousandHostileCallsKillNothing() throws {
        let seeds = 2, calls = 5000
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // scripts/sanitize sets DYNLUA_FUZZ_MEMORY_MB=0: AddressSanitizer cannot run under ulimit -v.
        let memoryMB = ProcessInfo.processInfo.environment["DYNLUA_FUZZ_MEMORY_MB"] ?? "2000"
        p.arguments = ["python3", Self.root.appendingPathComponent("scripts/fuzz").path, "--memory", memoryMB,
                       "--seed", "1", "--seeds", "\(seeds)", "--calls", "\(calls)", "--dynlua", CLITests.executable.path]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, text)
        XCTAssertTrue(text.hasSuffix("no process deaths, no hangs\n"), text)
        XCTAssertFalse(text.contains("never called"), text)
        for seed in 1...seeds {
            XCTAssertTrue(text.contains("seed \(seed): \(calls) calls,"), text)
        }
        // Both outcomes occur in numbers (the generator reaches past the first checks).
        let counts = text.split(separator: "\n").filter { $0.contains(" returned, ") }.map { line -> (Int, Int) in
            let w = line.split(separator: " ")
            return (Int(w[4])!, Int(w[6])!)
        }
        XCTAssertEqual(counts.count, seeds, text)
        for (returned, raised) in counts {
            XCTAssertEqual(returned + raised, calls, text)
            XCTAssertGreaterThan(returned, calls / 10, text)
            XCTAssertGreaterThan(raised, calls / 10, text)
        }
    }
}

import Foundation
import XCTest

/// `dynlua --max-memory`, and dynlua under an address-space limit (`ulimit -v`): every
/// allocation a script asks for is a Lua error when it cannot be had, never an abort or a hang.
final class MemoryCLITests: XCTestCase {
    struct Result { let status: Int32; let out: String; let err: String }

    /// Runs `dynlua args` through sh, after `ulimit -v kilobytes` when given; fails the test
    /// (and kills the process) if it runs longer than `timeout` seconds.
    func run(_ args: [String], ulimit kilobytes: Int? = nil, timeout: Double = 60) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        let quoted = ([CLITests.executable.path] + args).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        p.arguments = ["-c", (kilobytes.map { "ulimit -v \($0); " } ?? "") + "exec " + quoted.joined(separator: " ")]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        if p.isRunning {
            p.terminate()
            p.waitUntilExit()
            XCTFail("dynlua \(args) still running after \(timeout) s")
        }
        p.waitUntilExit()
        return Result(status: p.terminationStatus,
                      out: String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
                      err: String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    func testMaxMemoryStopsTensors() throws {
        let r = try run(["--max-memory", "64M", "-e", "local t = {} for i = 1, 20 do t[i] = tensor.zeros(1e6) end"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.hasPrefix("dynlua: (command line):1: memory limit of 67108864 bytes (64 MiB) exceeded allocating 8000000 bytes (7.6 MiB) for a float64 tensor of shape (1000000) ("), r.err)
    }

    func testMaxMemoryCoversModelsAndTheLuaHeap() throws {
        // Models are tensors too; Lua's heap fails in Lua code, where pcall catches it.
        let r = try run(["--max-memory=1.5G", "-e", """
            local ok, err = pcall(nn.Linear, 20000, 20000)
            print(err:match('memory limit of [^)]*%)'))
            local ok2, err2 = pcall(string.rep, 'x', 2000000000)
            print(ok2, err2)
            for i = 1, 50 do local m = nn.Linear(1000, 1000) end
            print('collected')
            """])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, "memory limit of 1610612736 bytes (1.5 GiB)\nfalse\tnot enough memory\ncollected\n")
        let heap = try run(["--max-memory", "32M", "-e", "local t = {} for i = 1, 100 do t[i] = string.rep('x', 1e6) .. i end"])
        XCTAssertEqual(heap.status, 1)
        XCTAssertEqual(heap.err, "dynlua: memory limit of 33554432 bytes (32 MiB) exceeded by Lua's heap (not enough memory)\n")
    }

    /// A Lanczos run keeps iters vectors of the parameter count: they are tensor allocations,
    /// under the limit like any other (they were Swift arrays, unaccounted, and trapped when
    /// memory ran out).
    func testLanczosVectorsAreUnderTheLimit() throws {
        let r = try run(["--max-memory", "100M", "-e", """
            local m = nn.Linear(1000, 1000)
            local x = tensor.randn(4, 1000)
            local ok, err = pcall(analysis.spectral_density, m, nn.CrossEntropyLoss(), x, {1, 2, 3, 4}, {iters = 100, starts = 1})
            print(ok, (err:gsub('^.-: ', '', 1):gsub(' %(%d+ bytes.*in use%)$', '')))
            print(analysis.hessian_top(m, nn.CrossEntropyLoss(), x, {1, 2, 3, 4}, {k = 1, iters = 4}):numel())
            """])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, "false\tmemory limit of 104857600 bytes (100 MiB) exceeded allocating 8008000 bytes (7.6 MiB) for a float64 tensor of shape (1001000)\n1\n")
    }

    func testBadMaxMemorySizes() throws {
        for size in ["64Q", "0", "-5M", "M", "", "1e9"] {
            // The "=" form: as in lua, a separate argument may not start with "-" ("-5M").
            let r = try run(["--max-memory=\(size)", "-e", "print(1)"])
            XCTAssertEqual(r.status, 1, size)
            XCTAssertTrue(r.err.hasPrefix("dynlua: bad '--max-memory' size '\(size)' (expected e.g. 512M or 2G)\n"), r.err)
        }
        XCTAssertTrue(try run(["--max-memory"]).err.hasPrefix("dynlua: '--max-memory' needs argument\n"))
    }

    /// 2 GiB asked for under a 2 GB address space: malloc says no, and so does dynlua (it used to
    /// check against the machine's physical memory and then abort).
    func testAllocationBeyondUlimit() throws {
        let r = try run(["-e", "print(pcall(tensor.zeros, 2^28)); print(tensor.ones(10):sum())"], ulimit: 2_000_000)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, "false\tcannot allocate 2147483648 bytes (2 GiB) for a float64 tensor of shape (268435456) (out of memory)\n10.0\n")
    }

    /// A long Lanczos run stops at the first Ctrl-C (it used to run on, the flag unpolled).
    func testCtrlCStopsSpectralDensity() throws {
        let p = Process()
        p.executableURL = CLITests.executable
        p.arguments = ["-e", """
            local m = nn.Sequential(nn.Linear(20, 200), nn.Tanh(), nn.Linear(200, 10))
            local x = tensor.randn(200, 20)
            local y = {} for i = 1, 200 do y[i] = i % 10 + 1 end
            io.write('ready\\n') io.stdout:flush()
            analysis.spectral_density(m, nn.CrossEntropyLoss(), x, y, {starts = 1000, iters = 500})
            """]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        _ = out.fileHandleForReading.availableData  // "ready"
        Thread.sleep(forTimeInterval: 0.3)
        p.interrupt()
        let deadline = Date().addingTimeInterval(10)
        while p.isRunning && Date() < deadline { usleep(20_000) }
        if p.isRunning { p.terminate(); p.waitUntilExit(); return XCTFail("still running 10 s after Ctrl-C") }
        XCTAssertEqual(p.terminationReason, .exit)
        XCTAssertEqual(p.terminationStatus, 130)
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(message.hasPrefix("dynlua: (command line):5: interrupted\n"), message)
    }

    /// More BLAS threads than the address space can hold used to hang in OpenBLAS.
    func testManyBLASThreadsUnderUlimit() throws {
        let r = try run(["-e", """
            local n = sys.blas_threads(32)
            local a = tensor.ones(300, 300)
            print(n >= 1, a:matmul(a):sum())
            """], ulimit: 2_000_000, timeout: 30)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, "true\t27000000.0\n")
    }
}

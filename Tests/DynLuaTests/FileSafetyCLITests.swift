import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Files written by a real dynlua process: odd names, a log path that cannot be written, and
/// the temporary files of a run that ends by SIGTERM or os.exit in the middle of a write.
final class FileSafetyCLITests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("dynlua-files-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func entries() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
    }

    func start(_ script: String, _ args: [String] = [], stdout: Pipe? = nil) throws -> (Process, Pipe) {
        try script.write(to: dir.appendingPathComponent("s.lua"), atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = CLITests.executable
        p.arguments = ["s.lua"] + args
        p.currentDirectoryURL = dir
        let err = Pipe()
        p.standardError = err
        p.standardOutput = stdout ?? FileHandle.nullDevice
        try p.run()
        return (p, err)
    }

    func run(_ script: String) throws -> (status: Int32, err: String) {
        let (p, err) = try start(script)
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, message)
    }

    static let training = """
    local X, y = data.spiral{classes = 3, per_class = 20}
    tensor.seed(1)
    local m = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 3))
    local function fit(opts)
      local o = {model = m, loss = nn.CrossEntropyLoss(), optimizer = optim.SGD(m, {lr = 0.1}),
                 x = X, y = y, steps = 20, progress = false}
      for k, v in pairs(opts) do o[k] = v end
      return train.fit(o)
    end

    """

    /// `t:save("a")` died with SIGILL (Foundation's path splitting); every writer takes any name.
    func testOneCharacterNamesForEveryWriter() throws {
        let r = try run(Self.training + """
        tensor.ones(2):save("a")
        m:save("b")
        local fig = plot.figure{}
        fig:line(1, {1, 2}, {3, 4})
        fig:save("c")
        fit{log = "d"}
        assert(tensor.load("a"):sum() == 2 and nn.load("b"):num_parameters() == m:num_parameters())
        """)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(entries(), ["a", "b", "c", "d", "s.lua"])
        let svg = try String(contentsOf: dir.appendingPathComponent("c"), encoding: .utf8)
        XCTAssertTrue(svg.contains("<svg") && svg.hasSuffix("</svg>\n"), svg)
        let log = try String(contentsOf: dir.appendingPathComponent("d"), encoding: .utf8)
        XCTAssertEqual(log.split(separator: "\n").count, 21)
    }

    func testANameWithANulByteIsAnErrorAndWritesNothing() throws {
        let r = try run("""
        local ok, e = pcall(function() tensor.ones(2):save("ab\\0cd.npy") end)
        assert(not ok and e:find("the file name 'ab\\\\0cd.npy' contains a NUL byte", 1, true), e)
        ok, e = pcall(tensor.load, "s.lua\\0x")
        assert(not ok and e:find("contains a NUL byte", 1, true), e)
        ok, e = pcall(data.csv, "s.lua\\0x")
        assert(not ok and e:find("contains a NUL byte", 1, true), e)
        """)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(entries(), ["s.lua"])
    }

    /// Devices are written in place: the standard output gets the bytes; /dev/full reports the
    /// full disk (for a log too) and stays a device.
    func testStandardOutputAndDevFull() throws {
        let out = Pipe()
        let (p, err) = try start(Self.training + """
        tensor.new({1.5, 2}):save("/dev/stdout")
        local ok, e = pcall(fit, {log = "/dev/full"})
        io.stderr:write(tostring(e))
        """, stdout: out)
        let bytes = out.fileHandleForReading.readDataToEndOfFile()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, message)
        XCTAssertEqual(bytes.count, 128 + 16)
        XCTAssertEqual(Array(bytes.prefix(6)), [0x93] + Array("NUMPY".utf8))
        XCTAssertEqual(Array(bytes.suffix(16)), [0, 0, 0, 0, 0, 0, 0xf8, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0x40])
        XCTAssertTrue(message.hasSuffix("train.fit: log: cannot write '/dev/full' (no space left on device)"), message)
        var st = stat()
        XCTAssertEqual(stat("/dev/full", &st), 0)
        XCTAssertEqual(st.st_mode & S_IFMT, S_IFCHR)
    }

    /// A log path that cannot be written fails before the first step (it used to train to the
    /// end, then fail and lose the history).
    func testAnUnwritableLogFailsBeforeTraining() throws {
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("adir"), withIntermediateDirectories: true)
        let r = try run(Self.training + """
        local steps = 0
        local on_step = function() steps = steps + 1 end
        local ok, e = pcall(fit, {log = "adir", on_step = on_step})
        assert(not ok and e:find("train.fit: log: cannot write 'adir' (is a directory)", 1, true), e)
        ok, e = pcall(fit, {log = "missing/run.csv", on_step = on_step})
        assert(not ok and e:find("train.fit: log: cannot write 'missing/run.csv' (no such file or directory)", 1, true), e)
        assert(steps == 0, "trained " .. steps .. " steps before failing")
        """)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(entries(), ["adir", "s.lua"])
    }

    /// SIGTERM during a run whose log is open: the process dies of SIGTERM and its
    /// `.run.csv.tmp-PID` is gone.
    func testSIGTERMRemovesTheLogsTemporaryFile() throws {
        let out = Pipe()
        let (p, _) = try start(Self.training + """
        fit{steps = 100000000, log = "run.csv", on_step = function(s)
          if s == 5 then io.write("ready\\n") io.stdout:flush() end
        end}
        """, stdout: out)
        XCTAssertEqual(String(decoding: out.fileHandleForReading.availableData, as: UTF8.self), "ready\n")
        XCTAssertEqual(entries(), [".run.csv.tmp-\(p.processIdentifier)", "s.lua"])
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .uncaughtSignal)
        XCTAssertEqual(p.terminationStatus, SIGTERM)
        XCTAssertEqual(entries(), ["s.lua"])
    }

    func testOsExitFromOnStepRemovesTheLogsTemporaryFile() throws {
        let r = try run(Self.training + """
        fit{steps = 1000, log = "run.csv", on_step = function(s)
          if s == 10 then
            local listing = io.popen("ls -a"):read("a")
            os.exit(listing:find(".run.csv.tmp-", 1, true) and 7 or 8)
          end
        end}
        """)
        XCTAssertEqual(r.status, 7, r.err)
        XCTAssertEqual(entries(), ["s.lua"])
    }

    // MARK: training checkpoints across real process deaths

    /// The same command every time: `dynlua s.lua [stop_at]`. With stop_at, the run announces
    /// "ready" at that step and spins inside on_step until the test kills it.
    static let resumable = """
    local X, y = data.spiral{classes = 3, per_class = 30, seed = 1}
    tensor.seed(1)
    local m = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
    local opt = optim.Adam(m, {lr = 0.01})
    local calls = 0
    local h = train.fit{model = m, loss = nn.CrossEntropyLoss(), optimizer = opt, x = X, y = y,
      steps = 300, batch_size = 16, every = 5, progress = false, log = "run.csv",
      weights = schedule.triangular{classes = 3, amplitude = 5, period = 40},
      checkpoint = {path = "ck", every = 20}, resume = "ck",
      on_step = function(s)
        calls = calls + 1
        if arg[1] and s == tonumber(arg[1]) then
          io.write("ready\\n") io.stdout:flush()
          local t0 = os.clock() while os.clock() - t0 < 30 do end
        end
      end,
      on_checkpoint = function() return {calls = calls} end,
      on_resume = function(state) calls = state.calls end}
    local parts = {tostring(calls), tostring(#h.step)}
    local f = m:flat_parameters()
    for i = 1, f:numel() do parts[#parts + 1] = string.format("%a", f[i]) end
    for i = 1, #h.loss do parts[#parts + 1] = string.format("%a %a %a", h.loss[i], h.weighted_loss[i], h.accuracy[i]) end
    parts[#parts + 1] = string.format("%a", tensor.rand(1):item())
    local out = assert(io.open("result.txt", "w"))
    out:write(table.concat(parts, "\\n"))
    out:close()
    """

    func file(_ name: String) throws -> String {
        try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
    }

    func remove(_ names: [String]) {
        for n in names { try? FileManager.default.removeItem(at: dir.appendingPathComponent(n)) }
    }

    /// Runs the command once uninterrupted, then again killed by `signal` at step 106 (whose
    /// last checkpoint is step 100) and re-run: the results are the same to the last bit.
    func checkResumeAfter(_ signal: Int32, expectStatus: Int32, reason: Process.TerminationReason) throws {
        let (reference, referenceErr) = try start(Self.resumable)
        let message = String(decoding: referenceErr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        reference.waitUntilExit()
        XCTAssertEqual(reference.terminationStatus, 0, message)
        let expected = try file("result.txt"), expectedLog = try file("run.csv")
        XCTAssertTrue(expected.hasPrefix("61\n61\n"), expected)  // 300 steps, every 5, and the last
        remove(["result.txt", "run.csv", "ck"])

        let out = Pipe()
        let (victim, _) = try start(Self.resumable, ["106"], stdout: out)
        XCTAssertEqual(String(decoding: out.fileHandleForReading.availableData, as: UTF8.self), "ready\n")
        kill(victim.processIdentifier, signal)
        victim.waitUntilExit()
        XCTAssertEqual(victim.terminationReason, reason)
        XCTAssertEqual(victim.terminationStatus, expectStatus)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("result.txt").path))
        XCTAssertTrue(try file("ck").contains("\nstep 100 0\n"))
        if signal == SIGKILL {  // a killed process cannot clean up; the resumed run does
            XCTAssertEqual(entries(), [".run.csv.tmp-\(victim.processIdentifier)", "ck", "s.lua"])
        }

        let (again, _) = try start(Self.resumable)
        again.waitUntilExit()
        XCTAssertEqual(again.terminationStatus, 0)
        XCTAssertEqual(try file("result.txt"), expected)
        XCTAssertEqual(try file("run.csv"), expectedLog)
        XCTAssertEqual(entries(), ["ck", "result.txt", "run.csv", "s.lua"])
    }

    func testResumeAfterKill9IsBitIdentical() throws {
        try checkResumeAfter(SIGKILL, expectStatus: SIGKILL, reason: .uncaughtSignal)
    }

    func testResumeAfterCtrlCIsBitIdentical() throws {
        try checkResumeAfter(SIGINT, expectStatus: 130, reason: .exit)
    }
}

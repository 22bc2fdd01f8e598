import Foundation
import XCTest

/// `dynlua sweep`, run as a user runs it: the grid, the results file (whole lines only, resume,
/// failures), shards, the report's numbers, usage errors.
final class SweepCLITests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("dynlua-sweep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // value = 10a + b + seed/100, exactly; `fail` makes the point with a == fail raise.
        try write("point.lua", """
        local p = sys.params{ a = 1, b = 0.5, seed = 1, fail = 0, name = "n" }
        local f = io.open("runs.txt", "a"); f:write(p.a, " ", p.b, " ", p.seed, "\\n"); f:close()
        if p.fail == p.a then error("boom at a=" .. p.a) end
        return { value = 10 * p.a + p.b + p.seed / 100, tag = p.name .. p.a }
        """)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func write(_ name: String, _ text: String) throws {
        try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    func read(_ name: String) -> String {
        (try? String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)) ?? ""
    }

    func run(_ args: [String], environment: [String: String] = [:]) throws -> CLITests.Result {
        let p = Process()
        p.executableURL = CLITests.executable
        p.arguments = args
        p.currentDirectoryURL = dir
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("LUA_") && !$0.key.hasPrefix("SLURM_") }
        env["TMPDIR"] = dir.path  // the runner's scratch directory, checked and removed with dir
        env.merge(environment) { $1 }
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return CLITests.Result(status: p.terminationStatus, out: String(decoding: o, as: UTF8.self),
                               err: String(decoding: e, as: UTF8.self), signaled: p.terminationReason == .uncaughtSignal)
    }

    /// The lines of a results file as JSON objects (every line must be one).
    func records(_ name: String = "sweep.jsonl") throws -> [[String: Any]] {
        try read(name).split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], "line: \($0)")
        }
    }

    func testEveryPointRunsOnceWithItsParametersAndResults() throws {
        let r = try run(["sweep", "point.lua", "a=1..3", "b=0.5,2", "--seeds", "2", "--jobs", "2"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.err.contains("12 done, 0 failed, 0 remaining"), r.err)
        let lines = try records()
        XCTAssertEqual(lines.count, 12)
        var keys = Set<String>()
        for line in lines {
            let p = try XCTUnwrap(line["parameters"] as? [String: Any])
            let a = try XCTUnwrap(p["a"] as? Int), b = try XCTUnwrap(p["b"] as? Double), seed = try XCTUnwrap(p["seed"] as? Int)
            let results = try XCTUnwrap(line["results"] as? [String: Any])
            XCTAssertEqual(results["value"] as? Double, 10 * Double(a) + b + Double(seed) / 100)
            XCTAssertEqual(results["tag"] as? String, "n\(a)")
            XCTAssertEqual(line["status"] as? String, "ok")
            XCTAssertEqual(line["point"] as? String, "a=\(a) b=\(b == 2 ? "2" : "0.5") seed=\(seed)")
            XCTAssertTrue((line["version"] as? String)?.hasPrefix("dynlua ") == true)
            XCTAssertGreaterThan(line["seconds"] as? Double ?? 0, 0)
            keys.insert(line["point"] as! String)
        }
        XCTAssertEqual(keys.count, 12)
        XCTAssertEqual(read("runs.txt").split(separator: "\n").count, 12)
    }

    func testFailuresAreRecordedAndRetriedWhileFinishedPointsAreSkipped() throws {
        let first = try run(["sweep", "point.lua", "a=1..3", "fail=2", "--jobs", "1"])
        XCTAssertEqual(first.status, 1)
        XCTAssertTrue(first.err.contains("failed: a=2 fail=2"), first.err)
        let lines = try records()
        XCTAssertEqual(lines.map { $0["status"] as? String }, ["ok", "failed", "ok"])
        XCTAssertTrue((lines[1]["error"] as? String)?.contains("point.lua:3: boom at a=2") == true, "\(lines[1])")
        XCTAssertNil(lines[1]["results"])
        // Again: only the failed point runs.
        let again = try run(["sweep", "point.lua", "a=1..3", "fail=2", "--jobs", "1"])
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(again.err.contains("2 of 3 points already in sweep.jsonl"), again.err)
        XCTAssertEqual(read("runs.txt"), "1 0.5 1\n2 0.5 1\n3 0.5 1\n2 0.5 1\n")
        // Fixed: it runs once more and succeeds; now nothing is left to do.
        XCTAssertEqual(try run(["sweep", "point.lua", "a=1..3", "fail=9"]).status, 0)
        XCTAssertEqual(try run(["sweep", "point.lua", "a=1..3", "fail=9"]).status, 0)
        XCTAssertEqual(read("runs.txt").split(separator: "\n").count, 7)
    }

    func testATornLastLineIsSkippedAndClosedBeforeTheNextLine() throws {
        XCTAssertEqual(try run(["sweep", "point.lua", "a=1,2"]).status, 0)
        // As a writer killed in the middle of its line would leave it.
        let full = read("sweep.jsonl")
        let lines = full.split(separator: "\n")
        try write("sweep.jsonl", lines[0] + "\n" + lines[1].prefix(30))
        let r = try run(["sweep", "point.lua", "a=1,2"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.err.contains("1 of 2 points already"), r.err)
        let text = read("sweep.jsonl").split(separator: "\n")
        XCTAssertEqual(text.count, 3)
        XCTAssertEqual(String(text[1]), String(lines[1].prefix(30)))
        let report = try run(["sweep", "--report", "sweep.jsonl", "--metric", "value"])
        XCTAssertEqual(report.status, 0, report.err)
        XCTAssertTrue(report.err.contains("skipped 1 incomplete line"), report.err)
        XCTAssertEqual(report.out, "a  n  failed  mean value  std\n1  1       0       10.51    -\n2  1       0       20.51    -\n")
    }

    func testKilledRunnerLeavesWholeLinesAndResumes() throws {
        try write("slow.lua", """
        local p = sys.params{ i = 1 }
        local t = os.time() + 0
        local c = os.clock(); while os.clock() - c < 0.15 do end
        return { i2 = p.i * p.i }
        """)
        let p = Process()
        p.executableURL = CLITests.executable
        p.arguments = ["sweep", "slow.lua", "i=1..12", "--jobs", "2"]
        p.currentDirectoryURL = dir
        p.environment = ProcessInfo.processInfo.environment.merging(["TMPDIR": dir.path]) { $1 }
        p.standardError = FileHandle.nullDevice
        try p.run()
        // Wait for a few lines, then kill -9 the runner in the middle of the sweep.
        let deadline = Date().addingTimeInterval(20)
        while read("sweep.jsonl").split(separator: "\n").count < 3 && Date() < deadline { usleep(20_000) }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let before = try records().count
        XCTAssertGreaterThanOrEqual(before, 3)
        XCTAssertLessThan(before, 12)
        usleep(400_000)  // the orphaned points end on their own
        let r = try run(["sweep", "slow.lua", "i=1..12", "--jobs", "2"])
        XCTAssertEqual(r.status, 0, r.err)
        let lines = try records()
        XCTAssertEqual(lines.count, 12)
        let values = lines.map { (($0["results"] as? [String: Any])?["i2"] as? Int) ?? -1 }.sorted()
        XCTAssertEqual(values, (1...12).map { $0 * $0 })
        // The killed runner's scratch directory is all that is left of it (kill -9 cannot be
        // cleaned up after); the run that finished removed its own.
        XCTAssertLessThanOrEqual(try scratchDirectories().count, 1)
    }

    /// The runner's scratch directories under `dir` (TMPDIR).
    func scratchDirectories() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("dynlua-sweep-") }
    }

    func testSIGTERMStopsTheRunningPointsAndCleansUp() throws {
        try write("long.lua", """
        local p = sys.params{ i = 1 }
        io.open("started-" .. p.i, "w"):close()
        local c = os.clock(); while os.clock() - c < 1.5 do end
        io.open("finished-" .. p.i, "w"):close()
        return { i = p.i }
        """)
        let p = Process()
        p.executableURL = CLITests.executable
        p.arguments = ["sweep", "long.lua", "i=1..4", "--jobs", "2"]
        p.currentDirectoryURL = dir
        p.environment = ProcessInfo.processInfo.environment.merging(["TMPDIR": dir.path]) { $1 }
        let err = Pipe()
        p.standardError = err
        try p.run()
        let deadline = Date().addingTimeInterval(20)
        let started = { ["started-1", "started-2"].allSatisfy { FileManager.default.fileExists(atPath: self.dir.appendingPathComponent($0).path) } }
        while !started() && Date() < deadline { usleep(10_000) }
        XCTAssertTrue(started())
        let sent = Date()
        kill(p.processIdentifier, SIGTERM)
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertLessThan(Date().timeIntervalSince(sent), 1.2, "the runner waited for the points to finish")
        XCTAssertEqual(p.terminationStatus, 128 + SIGTERM)
        XCTAssertTrue(message.contains("stopped by signal 15 after recording 0 points in sweep.jsonl"), message)
        XCTAssertEqual(try scratchDirectories(), [])
        usleep(1_600_000)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("finished-1").path), "a point outlived the runner")
        XCTAssertEqual(read("sweep.jsonl"), "")
    }

    func testShardsPartitionTheGridAndSlurmVariablesChooseOne() throws {
        var seen: [String] = []
        for k in 1...3 {
            let r = try run(["sweep", "point.lua", "a=1..4", "b=0.5,2", "--shard", "\(k)/3", "--out", "s\(k).jsonl"])
            XCTAssertEqual(r.status, 0, r.err)
            let keys = try records("s\(k).jsonl").map { $0["point"] as! String }
            XCTAssertEqual(keys.count, k == 3 ? 2 : 3)
            seen += keys
        }
        XCTAssertEqual(Set(seen).count, 8)
        XCTAssertEqual(seen.count, 8)
        // The second of three array tasks numbered from 0 is shard 2/3.
        let r = try run(["sweep", "point.lua", "a=1..4", "b=0.5,2", "--out", "slurm.jsonl"],
                        environment: ["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "3", "SLURM_ARRAY_TASK_MIN": "0"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(Set(try records("slurm.jsonl").map { $0["point"] as! String }), Set(try records("s2.jsonl").map { $0["point"] as! String }))
    }

    func testReportGivesMeanAndStandardDeviationOverSeeds() throws {
        XCTAssertEqual(try run(["sweep", "point.lua", "a=1,2", "b=0.5,2", "--seeds", "3", "--out", "r1.jsonl", "--shard", "1/2"]).status, 0)
        XCTAssertEqual(try run(["sweep", "point.lua", "a=1,2", "b=0.5,2", "--seeds", "3", "--out", "r2.jsonl", "--shard", "2/2"]).status, 0)
        // Over seeds 1..3 the value is 10a + b + {0.01, 0.02, 0.03}: mean 10a + b + 0.02, std 0.01.
        let r = try run(["sweep", "--report", "r1.jsonl", "r2.jsonl", "--metric", "value", "--svg", "heat.svg"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(r.out, """
        a    b  n  failed  mean value   std
        1  0.5  3       0       10.52  0.01
        1    2  3       0       12.02  0.01
        2  0.5  3       0       20.52  0.01
        2    2  3       0       22.02  0.01

        """)
        let svg = read("heat.svg")
        XCTAssertEqual(svg.components(separatedBy: "<title>").count - 1, 4)
        XCTAssertTrue(svg.contains("<title>2, 0.5: 20.5</title>"), svg)
        XCTAssertTrue(svg.contains("value: mean over seed"))
        // Grouped by one parameter: the mean over b and the seeds.
        let one = try run(["sweep", "--report", "r1.jsonl", "r2.jsonl", "--metric", "value", "--by", "a", "--svg", "line.svg"])
        XCTAssertEqual(one.status, 0, one.err)
        // Over b and seeds: 10a + {0.51, 0.52, 0.53, 2.01, 2.02, 2.03}, std sqrt(3.3754 / 5).
        XCTAssertEqual(one.out, "a  n  failed  mean value       std\n1  6       0       11.27  0.821633\n2  6       0       21.27  0.821633\n")
        let line = read("line.svg")
        XCTAssertTrue(line.contains("<path d="))
        // One bar of +- std per group, each with two caps: 6 segments in the series colour.
        XCTAssertEqual(line.components(separatedBy: "stroke=\"#0072B2\" stroke-width=\"1.20\"").count - 1, 6, line)  // Palette.color(0)
    }

    /// The phase-diagram example under the runner, shortened: at A = 1 the triangular schedule
    /// is all ones whatever T is, so those points are the same run and give the same bits.
    func testPhaseDiagramExampleRunsAsASweep() throws {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples/phase_diagram.lua").path
        let r = try run(["sweep", example, "A=1,20", "T=50,100", "steps=300", "--seeds", "2", "--jobs", "2"])
        XCTAssertEqual(r.status, 0, r.err)
        var byPoint: [String: [String: Any]] = [:]
        for line in try records() { byPoint[line["point"] as! String] = line["results"] as? [String: Any] }
        XCTAssertEqual(byPoint.count, 8)
        for seed in 1...2 {
            let a = try XCTUnwrap(byPoint["A=1 T=50 steps=300 seed=\(seed)"]), b = try XCTUnwrap(byPoint["A=1 T=100 steps=300 seed=\(seed)"])
            XCTAssertEqual(a["loss"] as? Double, b["loss"] as? Double)
            XCTAssertEqual(a["accuracy"] as? Double, b["accuracy"] as? Double)
            let dynamical = try XCTUnwrap(byPoint["A=20 T=50 steps=300 seed=\(seed)"])
            XCTAssertNotEqual(dynamical["loss"] as? Double, a["loss"] as? Double)
            let accuracy = try XCTUnwrap(a["accuracy"] as? Double)
            XCTAssertTrue(accuracy > 0 && accuracy <= 1 && abs((accuracy * 300).rounded() - accuracy * 300) < 1e-9, "\(accuracy) is not k/300")
        }
    }

    func testSlurmWritesAJobArrayScriptOfShards() throws {
        let r = try run(["sweep", "point.lua", "a=1..5", "b=0.5,2", "--seeds", "2", "--slurm", "--tasks", "3", "--jobs", "2", "--out", "res.jsonl"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("wrote res.slurm: 20 points in 3 array tasks"), r.out)
        let script = read("res.slurm")
        XCTAssertTrue(script.hasPrefix("#!/bin/bash\n"))
        XCTAssertTrue(script.contains("#SBATCH --array=1-3\n"), script)
        XCTAssertTrue(script.contains("#SBATCH --cpus-per-task=2\n"), script)
        XCTAssertTrue(script.contains("'sweep' 'point.lua' 'a=1..5' 'b=0.5,2' '--seeds' '2' --jobs \"$SLURM_CPUS_PER_TASK\" --out 'res'.task-\"$SLURM_ARRAY_TASK_ID\".jsonl"), script)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("res.jsonl").path))
        // More tasks than points: one per point.
        XCTAssertEqual(try run(["sweep", "point.lua", "a=1,2", "--slurm", "--tasks", "8"]).status, 0)
        XCTAssertTrue(read("sweep.slurm").contains("#SBATCH --array=1-2\n"))
        let bad = try run(["sweep", "point.lua", "a=1", "--slurm", "--shard", "1/2"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.err.contains("'--slurm' makes the shards itself"), bad.err)
    }

    func testSweepIsASubcommandOnlyAsTheFirstArgument() throws {
        try write("sweep", "print('the file named sweep', ...)")
        XCTAssertEqual(try run(["./sweep", "x"]).out, "the file named sweep\tx\n")
        XCTAssertEqual(try run(["--", "sweep", "y"]).out, "the file named sweep\ty\n")
        let help = try run(["sweep", "--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.out.hasPrefix("usage: dynlua sweep SCRIPT"), help.out)
    }

    func testNonFiniteResultsTravelAsStringsAndCountInTheReport() throws {
        try write("nan.lua", "local p = sys.params{ a = 1, seed = 1 }\nreturn { v = p.a == 1 and 0/0 or (p.a == 2 and 1/0 or p.seed) }")
        XCTAssertEqual(try run(["sweep", "nan.lua", "a=1..3", "--seeds", "2", "--jobs", "1"]).status, 0)
        let values = try records().map { ($0["results"] as? [String: Any])?["v"].map { "\($0)" } ?? "?" }
        XCTAssertEqual(values, ["nan", "nan", "inf", "inf", "1", "2"])
        let r = try run(["sweep", "--report", "sweep.jsonl"])
        XCTAssertEqual(r.out, "a  n  failed  mean v       std\n1  2       0     nan       nan\n2  2       0     inf       nan\n3  2       0     1.5  0.707107\n")
    }

    func testLogsKeepEachPointsOutput() throws {
        try write("talk.lua", "local p = sys.params{ a = 1 }\nprint('point', p.a)\nio.stderr:write('note ', p.a, '\\n')\nreturn { a = p.a }")
        let r = try run(["sweep", "talk.lua", "a=1,2", "--logs", "logs/run1", "--jobs", "1"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(read("logs/run1/a=1.log"), "point\t1\nnote 1\n")
        XCTAssertEqual(read("logs/run1/a=2.log"), "point\t2\nnote 2\n")
    }

    func testUsageErrors() throws {
        let cases: [([String], String)] = [
            (["sweep"], "sweep: no script given"),
            (["sweep", "point.lua", "a=3..1"], "bad range '3..1'"),
            (["sweep", "point.lua", "a=1,,2"], "empty value in 'a=1,,2'"),
            (["sweep", "point.lua", "a=1", "a=2"], "parameter 'a' given twice"),
            (["sweep", "point.lua", "a=1", "--shard", "4/3"], "bad shard '4/3'"),
            (["sweep", "point.lua", "a=1", "--jobs", "0"], "'--jobs' must be an integer >= 1"),
            (["sweep", "point.lua", "a=1", "--bogus"], "unrecognized option '--bogus'"),
            (["sweep", "missing.lua", "a=1"], "cannot open script 'missing.lua'"),
            (["sweep", "point.lua"], "no parameters to sweep"),
            (["sweep", "point.lua", "a=1", "--out", "no/such/dir.jsonl"], "cannot open 'no/such/dir.jsonl': No such file or directory"),
            (["sweep", "--report"], "'--report' needs result files"),
            (["sweep", "--report", "none.jsonl"], "no such results file 'none.jsonl'"),
        ]
        for (args, message) in cases {
            let r = try run(args)
            XCTAssertEqual(r.status, 1, "\(args)")
            XCTAssertTrue(r.err.contains(message), "\(args): \(r.err)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("sweep.jsonl").path))
        XCTAssertEqual(read("runs.txt"), "", "no point ran")
    }

    func testAScriptThatReturnsNoTableOrAnUnknownParameterFailsThatPoint() throws {
        try write("bad.lua", "local p = sys.params{ a = 1 }\nif p.a == 1 then return 5 end\nreturn { t = {} }")
        let r = try run(["sweep", "bad.lua", "a=1,2", "c=3"])
        XCTAssertEqual(r.status, 1)
        let r2 = try run(["sweep", "bad.lua", "a=1,2", "--out", "two.jsonl", "--jobs", "1"])
        XCTAssertEqual(r2.status, 1)
        let errors = try records().map { $0["error"] as? String ?? "" }
        XCTAssertTrue(errors.allSatisfy { $0.contains("unknown parameter 'c'") }, "\(errors)")
        let two = try records("two.jsonl").map { $0["error"] as? String ?? "" }
        XCTAssertTrue(two[0].contains("the script must return a table of results (numbers or strings), got number"), two[0])
        XCTAssertTrue(two[1].contains("the script's result 't' is a table"), two[1])
    }

    /// (point, results) of every line, as text, for comparing runs.
    func outcomes(_ names: [String]) throws -> Set<String> {
        Set(try names.flatMap { try records($0) }.map { line in
            let results = try JSONSerialization.data(withJSONObject: line["results"] ?? [:], options: .sortedKeys)
            return "\(line["point"]!) \(String(decoding: results, as: UTF8.self))"
        })
    }

    func testGNUParallelShardsMergeToTheLocalSweep() throws {
        let parallel = "/usr/bin/parallel"
        guard FileManager.default.isExecutableFile(atPath: parallel) else {
            return XCTFail("GNU parallel is not installed (scripts/test installs it)")
        }
        let grid = ["point.lua", "a=1..4", "b=0.5,2", "--seeds", "2"]
        XCTAssertEqual(try run(["sweep"] + grid + ["--out", "local.jsonl"]).status, 0)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: parallel)
        p.arguments = ["--will-cite", "-j", "3", CLITests.executable.path, "sweep"] + grid
            + ["--jobs", "1", "--shard", "{}/3", "--out", "p{}.jsonl", ":::", "1", "2", "3"]
        p.currentDirectoryURL = dir
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        XCTAssertEqual(try records("p1.jsonl").count + records("p2.jsonl").count + records("p3.jsonl").count, 16)
        XCTAssertEqual(try outcomes(["p1.jsonl", "p2.jsonl", "p3.jsonl"]), try outcomes(["local.jsonl"]))
        let merged = try run(["sweep", "--report", "p1.jsonl", "p2.jsonl", "p3.jsonl", "--metric", "value"])
        let local = try run(["sweep", "--report", "local.jsonl", "--metric", "value"])
        XCTAssertEqual(merged.status, 0, merged.err)
        XCTAssertEqual(merged.out, local.out)
        XCTAssertTrue(local.out.hasPrefix("a    b  n  failed  mean value         std\n1  0.5  2       0      10.515  0.00707107\n"), local.out)
    }
}

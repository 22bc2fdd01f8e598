import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The `dynlua` executable, run as a user runs it: arguments, standard input, exit status,
/// stdout and stderr; Ctrl-C as a SIGINT; the interactive session on a pseudo-terminal.
final class CLITests: XCTestCase {
    struct Result {
        let status: Int32
        let out: String
        let err: String
        let signaled: Bool
    }

    /// The built executable: next to the test bundle (the products directory).
    static let executable: URL = {
        var dirs = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
        dirs += Bundle.allBundles.map { $0.bundleURL.deletingLastPathComponent() }
        dirs.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/debug"))
        let found = dirs.map { $0.appendingPathComponent("dynlua") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
        return found ?? dirs[0].appendingPathComponent("dynlua")
    }()

    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("dynlua-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: Self.executable.path),
                      "build the executable first: swift build --build-tests")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    func write(_ name: String, _ text: String) throws {
        try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    /// dynlua with `args`, in `dir`, with this process's environment minus the variables lua
    /// reads (LUA_INIT, LUA_PATH, LUA_CPATH and their _5_4 forms), plus `environment`.
    func process(_ args: [String], environment: [String: String] = [:]) -> Process {
        let p = Process()
        p.executableURL = Self.executable
        p.arguments = args
        p.currentDirectoryURL = dir
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("LUA_") }
        env.merge(environment) { $1 }
        p.environment = env
        return p
    }

    /// Runs dynlua to the end with `stdin` as standard input (empty when nil).
    func run(_ args: [String], stdin: String = "", environment: [String: String] = [:]) throws -> Result {
        let p = process(args, environment: environment)
        let outURL = dir.appendingPathComponent("stdout.txt"), errURL = dir.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let input = Pipe()
        p.standardInput = input
        p.standardOutput = try FileHandle(forWritingTo: outURL)
        p.standardError = try FileHandle(forWritingTo: errURL)
        try p.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
        p.waitUntilExit()
        return Result(status: p.terminationStatus,
                      out: try String(contentsOf: outURL, encoding: .utf8),
                      err: try String(contentsOf: errURL, encoding: .utf8),
                      signaled: p.terminationReason == .uncaughtSignal)
    }

    // MARK: scripts, arguments, options

    func testScriptSeesArgTableAndVarargs() throws {
        try write("args.lua", """
        print(arg[-4], arg[-2], arg[-1], arg[0], arg[1], arg[2], arg[3], #arg)
        print(select('#', ...), ...)
        """)
        let r = try run(["-e", "x = 1", "args.lua", "a", "b c"])
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.err, "")
        XCTAssertEqual(r.out, "nil\t-e\tx = 1\targs.lua\ta\tb c\tnil\t2\n2\ta\tb c\n")
    }

    func testWithoutScriptArgZeroIsTheInterpreter() throws {
        let r = try run(["-e", "print(arg[0] == arg[-1], arg[-1] == nil, arg[1], arg[2], #arg)"])
        XCTAssertEqual(r.out, "false\ttrue\t-e\tprint(arg[0] == arg[-1], arg[-1] == nil, arg[1], arg[2], #arg)\t2\n")
        let zero = try run(["-e", "io.write(arg[0])"])
        XCTAssertEqual(zero.out, Self.executable.path)
    }

    func testExecuteOptionsRunInOrder() throws {
        let r = try run(["-e", "x = 6", "-e", "print(x * 7)", "-eprint(x + 1)"])
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.out, "42\n7\n")
    }

    func testRequireOption() throws {
        try write("mymod.lua", "return { value = 7 }")
        XCTAssertEqual(try run(["-l", "mymod", "-e", "print(mymod.value)"]).out, "7\n")
        XCTAssertEqual(try run(["-l", "m=mymod", "-e", "print(m.value, mymod)"]).out, "7\tnil\n")
        let missing = try run(["-l", "nosuchmod", "-e", "print(1)"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.out, "")
        XCTAssertTrue(missing.err.hasPrefix("dynlua: module 'nosuchmod' not found"), missing.err)
    }

    func testStandardInputAsScriptWithDash() throws {
        let r = try run(["-", "p", "q"], stdin: "print(select('#', ...), ...)\nprint(arg[0], arg[1])\n")
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.out, "2\tp\tq\n-\tp\n")
    }

    func testPipedStandardInputWithoutScriptIsRun() throws {
        let r = try run([], stdin: "local x = 6\nprint(x * 7)\n")
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.out, "42\n")  // no banner, no prompt: not a session
        let e = try run([], stdin: "\nerror('bad input')\n")
        XCTAssertEqual(e.status, 1)
        XCTAssertTrue(e.err.hasPrefix("dynlua: stdin:2: bad input\nstack traceback:\n"), e.err)
    }

    func testVersionAndHelp() throws {
        for flag in ["-v", "--version"] {
            let r = try run([flag])
            XCTAssertEqual(r.status, 0)
            XCTAssertTrue(r.out.hasPrefix("dynlua "), r.out)
            XCTAssertTrue(r.out.contains("(Lua 5.4."), r.out)
            XCTAssertEqual(r.out.filter { $0 == "\n" }.count, 1)
        }
        for flag in ["-h", "--help"] {
            let r = try run([flag])
            XCTAssertEqual(r.status, 0)
            XCTAssertTrue(r.out.hasPrefix("usage: dynlua [options] [script [args]]\n"), r.out)
            XCTAssertTrue(r.out.contains("-e stat"))
        }
        // -v with a script: the banner, then the script.
        XCTAssertTrue(try run(["-v", "-e", "print(5)"]).out.hasSuffix(")\n5\n"))
    }

    func testBadUsage() throws {
        let r = try run(["-z"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.err.hasPrefix("dynlua: unrecognized option '-z'\nusage: dynlua"), r.err)
        let e = try run(["-e"])
        XCTAssertEqual(e.status, 1)
        XCTAssertTrue(e.err.hasPrefix("dynlua: '-e' needs argument\n"), e.err)
        // As in lua, an option's argument may not look like an option.
        XCTAssertTrue(try run(["-e", "-x"]).err.hasPrefix("dynlua: '-e' needs argument\n"))
        XCTAssertTrue(try run(["-l", "-x"]).err.hasPrefix("dynlua: '-l' needs argument\n"))
    }

    // MARK: the environment (LUA_INIT, LUA_PATH, LUA_CPATH, -E)

    func testLuaInitRunsCodeAfterArgIsSet() throws {
        try write("show.lua", "print(X * 2, ...)")
        let r = try run(["show.lua", "21"], environment: ["LUA_INIT": "X = tonumber(arg[1])"])
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.err, "")
        XCTAssertEqual(r.out, "42\t21\n")
        // Before the -e code too.
        XCTAssertEqual(try run(["-e", "print(Y)"], environment: ["LUA_INIT": "Y = 'init'"]).out, "init\n")
    }

    func testVersionedLuaInitComesFirst() throws {
        let both = ["LUA_INIT_5_4": "io.write('5.4 ')", "LUA_INIT": "io.write('plain ')"]
        XCTAssertEqual(try run(["-e", "print('main')"], environment: both).out, "5.4 main\n")
        // Set but empty, it still wins (as in lua: only an unset variable falls back).
        let empty = ["LUA_INIT_5_4": "", "LUA_INIT": "io.write('plain ')"]
        XCTAssertEqual(try run(["-e", "print('main')"], environment: empty).out, "main\n")
    }

    func testLuaInitFromAFile() throws {
        try write("init.lua", "print('init', arg[1], ...)")
        let r = try run(["-e", "print('main')", "-", "x"], environment: ["LUA_INIT": "@init.lua"])
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.out, "init\tx\nmain\n")  // the file gets no arguments of its own
        let missing = try run(["-e", "print('main')"], environment: ["LUA_INIT": "@nofile.lua"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.out, "")
        XCTAssertEqual(missing.err, "dynlua: cannot open nofile.lua: No such file or directory\n")
    }

    func testLuaInitErrorsNameTheVariable() throws {
        let runtime = try run(["-e", "print('main')"], environment: ["LUA_INIT": "error('boom')"])
        XCTAssertEqual(runtime.status, 1)
        XCTAssertEqual(runtime.out, "")
        XCTAssertTrue(runtime.err.hasPrefix("dynlua: LUA_INIT:1: boom\nstack traceback:\n"), runtime.err)
        XCTAssertTrue(runtime.err.contains("\tLUA_INIT:1: in main chunk"), runtime.err)
        let versioned = try run(["-e", "print('main')"], environment: ["LUA_INIT_5_4": "error('five')"])
        XCTAssertTrue(versioned.err.hasPrefix("dynlua: LUA_INIT_5_4:1: five\n"), versioned.err)
        let syntax = try run([], stdin: "print('stdin')", environment: ["LUA_INIT": "x = = 1"])
        XCTAssertEqual(syntax.status, 1)
        XCTAssertEqual(syntax.out, "")
        XCTAssertEqual(syntax.err, "dynlua: LUA_INIT:1: unexpected symbol near '='\n")
    }

    /// package.path / cpath as lua makes them: the versioned variable first, ";;" replaced by
    /// the default path (the one with neither variable set).
    func testLuaPathAndCPath() throws {
        let show = ["-e", "io.write(package.path, '|', package.cpath)"]
        let defaults = try run(show).out.split(separator: "|").map(String.init)
        XCTAssertEqual(defaults.count, 2)
        let (path, cpath) = (defaults[0], defaults[1])
        XCTAssertTrue(path.hasSuffix(";./?.lua;./?/init.lua"), path)
        XCTAssertTrue(cpath.hasSuffix(";./?.so"), cpath)
        func made(_ env: [String: String]) throws -> String { try run(show, environment: env).out }
        XCTAssertEqual(try made(["LUA_PATH": "/x/?.lua;;/y/?.lua"]), "/x/?.lua;\(path);/y/?.lua|\(cpath)")
        XCTAssertEqual(try made(["LUA_PATH": ";;"]), "\(path)|\(cpath)")
        XCTAssertEqual(try made(["LUA_PATH": "/x/?.lua;;"]), "/x/?.lua;\(path)|\(cpath)")
        XCTAssertEqual(try made(["LUA_PATH": ";;/y/?.lua"]), "\(path);/y/?.lua|\(cpath)")
        XCTAssertEqual(try made(["LUA_PATH": "/only/?.lua"]), "/only/?.lua|\(cpath)")
        XCTAssertEqual(try made(["LUA_PATH_5_4": "/v/?.lua;;", "LUA_PATH": "/plain/?.lua"]), "/v/?.lua;\(path)|\(cpath)")
        XCTAssertEqual(try made(["LUA_CPATH": "/c/?.so;;"]), "\(path)|/c/?.so;\(cpath)")
        XCTAssertEqual(try made(["LUA_CPATH_5_4": ";;/d/?.so"]), "\(path)|\(cpath);/d/?.so")
        // And require really searches there.
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("lib"), withIntermediateDirectories: true)
        try write("lib/far.lua", "return 'far away'")
        let found = try run(["-e", "print((require 'far'))"], environment: ["LUA_PATH": "\(dir.path)/lib/?.lua;;"])
        XCTAssertEqual(found.out, "far away\n")
    }

    func testIgnoreEnvironmentOption() throws {
        let show = ["-E", "-e", "io.write(tostring(X), '|', package.path, '|', package.cpath)"]
        let defaults = try run(["-e", "io.write('nil|', package.path, '|', package.cpath)"]).out
        let env = ["LUA_INIT": "X = 1", "LUA_INIT_5_4": "X = 2", "LUA_PATH": "/x/?.lua", "LUA_PATH_5_4": "/y/?.lua;;",
                   "LUA_CPATH": "/c/?.so", "LUA_CPATH_5_4": "/d/?.so"]
        XCTAssertEqual(try run(show, environment: env).out, defaults)
        XCTAssertNotEqual(try run(Array(show.dropFirst()), environment: env).out, defaults)  // without -E they count
        let bad = try run(["-Ex"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.err.hasPrefix("dynlua: unrecognized option '-Ex'\n"), bad.err)
    }

    // MARK: script arguments come from `arg` when the script starts

    func testScriptArgumentsAreReadFromArgAfterOptions() throws {
        let r = try run(["-e", "arg[1] = 100", "-", "a", "b"], stdin: "print(math.type((...)), ...)")
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.out, "integer\t100\tb\n")
        try write("count.lua", "print(select('#', ...), ...)")
        // #arg decides how many: here the border is 1.
        XCTAssertEqual(try run(["-e", "arg[2] = nil arg[3] = nil", "count.lua", "a", "b", "c"]).out, "1\ta\n")
        XCTAssertEqual(try run(["-e", "arg[4] = 'd'", "count.lua", "a", "b", "c"]).out, "4\ta\tb\tc\td\n")
        // A new table is read as it is.
        XCTAssertEqual(try run(["-e", "arg = {'x'}", "count.lua", "a"]).out, "1\tx\n")
    }

    func testArgThatIsNotATable() throws {
        let r = try run(["-e", "arg = 1", "-"], stdin: "print('never')")
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.out, "")
        XCTAssertEqual(r.err, "dynlua: 'arg' is not a table\n")
        try write("s.lua", "print('never')")
        XCTAssertEqual(try run(["-e", "arg = nil", "s.lua"]).err, "dynlua: 'arg' is not a table\n")
        // Standard input run for lack of a script takes no arguments, so `arg` is not read.
        XCTAssertEqual(try run([], stdin: "print('runs', ...)", environment: ["LUA_INIT": "arg = 1"]).out, "runs\n")
    }

    // MARK: errors and exit codes

    func testRuntimeErrorReportsFileLineAndTraceback() throws {
        try write("bad.lua", """
        print("before")
        local function explode(x)
          error("boom " .. x)
        end
        explode(7)
        print("never")
        """)
        let r = try run(["bad.lua"])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.out, "before\n")
        XCTAssertTrue(r.err.hasPrefix("dynlua: bad.lua:3: boom 7\nstack traceback:\n"), r.err)
        XCTAssertTrue(r.err.contains("\n\tbad.lua:3: in "), r.err)          // inside explode
        XCTAssertTrue(r.err.contains("\n\tbad.lua:5: in main chunk\n"), r.err)  // the call
    }

    func testSyntaxErrorExitsOne() throws {
        try write("syntax.lua", "local a = 1\nlocal b = = 2\n")
        let r = try run(["syntax.lua"])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.out, "")
        // As in lua: a syntax error has no stack to trace.
        XCTAssertEqual(r.err, "dynlua: syntax.lua:2: unexpected symbol near '='\n")
    }

    func testMissingScript() throws {
        let r = try run(["nope.lua"])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.err, "dynlua: cannot open nope.lua: No such file or directory\n")
    }

    func testErrorObjects() throws {
        let table = try run(["-e", "error({})"])
        XCTAssertEqual(table.status, 1)
        XCTAssertTrue(table.err.hasPrefix("dynlua: (error object is a table value)\nstack traceback:\n"), table.err)
        let custom = try run(["-e", "error(setmetatable({}, {__tostring = function() return 'custom' end}))"])
        XCTAssertEqual(custom.status, 1)
        XCTAssertEqual(custom.err, "dynlua: custom\n")
    }

    func testOsExit() throws {
        let three = try run(["-e", "io.write('partial') os.exit(3)"])
        XCTAssertEqual(three.status, 3)
        XCTAssertEqual(three.out, "partial")  // buffered output is flushed
        XCTAssertEqual(try run(["-e", "os.exit(true)"]).status, 0)
        XCTAssertEqual(try run(["-e", "os.exit(false)"]).status, 1)
        XCTAssertEqual(try run(["-e", "os.exit(0)"]).status, 0)
    }

    // MARK: interactive session with piped input

    func testInteractiveSessionOnPipedInput() throws {
        let r = try run(["-i"], stdin: "1 + 2\nfor i = 1, 2 do\nprint(i)\nend\nerror('oops')\n'a', nil, 3\nx = 5\nx\n")
        XCTAssertEqual(r.status, 0)
        let lines = r.out.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertTrue(lines[0].hasPrefix("dynlua "), r.out)  // -i shows the banner
        XCTAssertEqual(lines.dropFirst().joined(separator: "\n"),
                       "> 3\n> >> >> 1\n2\n> > a\tnil\t3\n> > 5\n> \n")
        XCTAssertTrue(r.err.hasPrefix("stdin:1: oops\nstack traceback:\n"), r.err)
    }

    func testInteractiveAfterScript() throws {
        try write("setup.lua", "y = 21")
        let r = try run(["-i", "setup.lua"], stdin: "y * 2\n")
        XCTAssertEqual(r.status, 0)
        XCTAssertTrue(r.out.hasSuffix("\n> 42\n> \n"), r.out)
    }

    func testInteractiveSyntaxErrorKeepsGoing() throws {
        let r = try run(["-i"], stdin: "x = = 1\nprint('still here')\n")
        XCTAssertEqual(r.status, 0)
        XCTAssertTrue(r.out.hasSuffix("> > still here\n> \n"), r.out)
        XCTAssertEqual(r.err, "stdin:1: unexpected symbol near '='\n")
    }

    func testInteractivePromptsFromGlobals() throws {
        let r = try run(["-i", "-e", "_PROMPT = 'lua$ ' _PROMPT2 = '...'"], stdin: "if true then\nprint(1) end\n")
        XCTAssertTrue(r.out.hasSuffix(")\nlua$ ...1\nlua$ \n"), r.out)
    }

    func testInteractiveEqualsLineReturnsItsValues() throws {
        let r = try run(["-i", "-e", "a = 'A'"], stdin: "=1 + 1\n=a\n= 3, 4\nif true then\n=5\nend\n")
        XCTAssertEqual(r.status, 0)
        XCTAssertTrue(r.out.hasSuffix(")\n> 2\n> A\n> 3\t4\n> >> > > \n"), r.out)
        // Only a first line: "=5" inside a statement is the syntax error it is in Lua.
        XCTAssertEqual(r.err, "stdin:2: unexpected symbol near '='\nstdin:1: <eof> expected near 'end'\n")
    }

    func testPromptsGoThroughTostringOncePerPrompt() throws {
        let setup = "n = 0 _PROMPT = setmetatable({}, {__tostring = function() n = n + 1 return 'P' .. n .. '> ' end}) _PROMPT2 = 42"
        let r = try run(["-i", "-e", setup], stdin: "x = 1\nfor i = 1, 2 do\nend\nn\n")
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.err, "")
        XCTAssertTrue(r.out.hasSuffix(")\nP1> P2> 42P3> 3\nP4> \n"), r.out)
        XCTAssertTrue(try run(["-i", "-e", "_PROMPT = false"], stdin: "").out.hasSuffix(")\nfalse\n"))
        // A failing __tostring is reported; the default prompt stands in and the session goes on.
        let failing = try run(["-i", "-e", "_PROMPT = setmetatable({}, {__tostring = function() error('bad prompt') end})"],
                              stdin: "_PROMPT = nil\nprint('on')\n")
        XCTAssertEqual(failing.status, 0)
        XCTAssertTrue(failing.out.hasSuffix(")\n> > on\n> \n"), failing.out)
        XCTAssertTrue(failing.err.hasPrefix("(command line):1: bad prompt\nstack traceback:\n"), failing.err)
    }

    func testEndOfInputInsideAStatementIsReported() throws {
        let r = try run(["-i"], stdin: "x = 1\nfor i = 1, 2 do\nprint(i)\n")
        XCTAssertEqual(r.status, 0)
        XCTAssertTrue(r.out.hasSuffix(")\n> > >> >> \n"), r.out)
        XCTAssertEqual(r.err, "stdin:2: 'end' expected (to close 'for' at line 1) near <eof>\n")
    }

    // MARK: Ctrl-C

    /// Starts `code` (which prints "ready" before it loops) and returns once it is running.
    func startLoop(_ code: String) throws -> (Process, Pipe) {
        try write("loop.lua", code)
        let p = process(["loop.lua"])
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let ready = out.fileHandleForReading.availableData  // blocks until the first output
        XCTAssertEqual(String(decoding: ready, as: UTF8.self), "ready\n")
        return (p, err)
    }

    func testCtrlCInterruptsALoop() throws {
        let (p, err) = try startLoop("io.write('ready\\n') io.stdout:flush()\nwhile true do end\n")
        Thread.sleep(forTimeInterval: 0.2)
        p.interrupt()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .exit)
        XCTAssertEqual(p.terminationStatus, 130)
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(message.hasPrefix("dynlua: loop.lua:2: interrupted\nstack traceback:\n"), message)
    }

    func testCtrlCIsNotSwallowedByPcall() throws {
        let (p, err) = try startLoop("""
        io.write('ready\\n') io.stdout:flush()
        local caught = 0
        while true do
          if not pcall(function() while true do end end) then caught = caught + 1 end
        end
        """)
        Thread.sleep(forTimeInterval: 0.2)
        p.interrupt()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 130)
        XCTAssertTrue(String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .contains("interrupted"))
    }

    func testCtrlCInsideACoroutine() throws {
        let (p, _) = try startLoop("io.write('ready\\n') io.stdout:flush()\ncoroutine.wrap(function() while true do end end)()\n")
        Thread.sleep(forTimeInterval: 0.2)
        p.interrupt()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 130)
    }

    /// With the hook gone (as in a long native call, where no Lua instruction runs), the first
    /// Ctrl-C cannot stop the script; the second one ends the process.
    func testSecondCtrlCKills() throws {
        let (p, _) = try startLoop("io.write('ready\\n') io.stdout:flush()\ndebug.sethook()\nwhile true do end\n")
        Thread.sleep(forTimeInterval: 0.2)
        p.interrupt()
        Thread.sleep(forTimeInterval: 0.3)
        XCTAssertTrue(p.isRunning)
        p.interrupt()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .uncaughtSignal)
        XCTAssertEqual(p.terminationStatus, SIGINT)  // a shell reports 128 + 2 = 130
    }

    /// A Ctrl-C that arrives during a native call (here sent by the script itself, from a shell
    /// whose parent is dynlua) is raised right after the next binding call returns: a loop of
    /// long native calls (a convolution of a large batch) stops after the one running, not
    /// after up to 1000 instructions' worth of them. It used to print 109 lines here.
    func testCtrlCDuringNativeCallsIsRaisedAfterTheNextCall() throws {
        try write("calls.lua", """
        local x = tensor.ones(2)
        io.popen("kill -INT $PPID"):close()
        for i = 1, 1000 do x = x + 0; io.stdout:write(i, "\\n") end
        """)
        let r = try run(["calls.lua"])
        XCTAssertEqual(r.status, 130)
        XCTAssertEqual(r.out, "")
        XCTAssertTrue(r.err.hasPrefix("dynlua: calls.lua:3: interrupted\nstack traceback:\n"), r.err)
    }

    /// Lua code that trains until Ctrl-C; it prints "ready" once training runs. `wrap` gets the
    /// call and returns the code that makes it.
    func training(_ wrap: (String) -> String) -> String {
        """
        local X, y = data.spiral{ classes = 3, per_class = 50, seed = 0 }
        local model = nn.Sequential(nn.Linear(2, 50), nn.ReLU(), nn.Linear(50, 3))
        local options = { model = model, loss = nn.CrossEntropyLoss(), optimizer = optim.SGD(model, { lr = 0.1 }),
          x = X, y = y, steps = 100000000, every = 100000000, progress = false,
          on_step = function() io.write('ready\\n') io.stdout:flush() end }
        \(wrap("pcall(train.fit, options)"))
        """
    }

    func interruptAndWait(_ code: String) throws -> (status: Int32, err: String) {
        let (p, err) = try startLoop(code)
        Thread.sleep(forTimeInterval: 0.2)
        p.interrupt()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .exit)
        return (p.terminationStatus, String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    /// A native loop (training) takes the interrupt; a pcall catches it; the script has only a
    /// few instructions left. The interrupt is raised again at the next one: status 130.
    func testInterruptCaughtAroundTrainingStillEnds130() throws {
        let r = try interruptAndWait(training { "local ok, message = \($0)\nio.stderr:write('after pcall: ', tostring(message), '\\n')" })
        XCTAssertEqual(r.status, 130)
        XCTAssertTrue(r.err.hasPrefix("dynlua: loop.lua:7: interrupted\nstack traceback:\n"), r.err)
        XCTAssertFalse(r.err.contains("after pcall"), r.err)
    }

    /// Caught in a coroutine that then ends, the script ends normally: still 130.
    func testInterruptCaughtInACoroutineStillEnds130() throws {
        let r = try interruptAndWait(training { """
            local ok, message = coroutine.resume(coroutine.create(function() \($0) end))
            io.stderr:write('resumed: ', tostring(message), '\\n')
            """ })
        XCTAssertEqual(r.status, 130)
        XCTAssertTrue(r.err.hasPrefix("resumed: loop.lua:6: interrupted\n"), r.err)
        XCTAssertTrue(r.err.hasSuffix("\ndynlua: interrupted\n"), r.err)
    }

    /// os.exit(0) after an interrupt (here from a finalizer, which runs with hooks off when the
    /// state closes) exits 130.
    func testOsExitAfterAnInterruptExits130() throws {
        let r = try interruptAndWait(training { "local guard = setmetatable({}, {__gc = function() os.exit(0) end})\n\($0)" })
        XCTAssertEqual(r.status, 130)
        XCTAssertTrue(r.err.hasPrefix("dynlua: loop.lua:7: interrupted\n"), r.err)
    }

    // MARK: the line editor on a terminal

    /// A session on a terminal keeps its history in $HOME: here the test's directory (the
    /// BLAS verdict cache stays where it was, so that no kernel test runs again).
    func terminalEnvironment() -> [String: String] {
        let env = ProcessInfo.processInfo.environment
        let cache = env["XDG_CACHE_HOME"] ?? ((env["HOME"] ?? "/nonexistent") + "/.cache")
        return ["HOME": dir.path, "XDG_CACHE_HOME": cache]
    }

    func testTerminalSessionEditsAndRecallsHistory() throws {
        guard let (master, name) = openPseudoTerminal() else { return XCTFail("no pseudo-terminal") }
        defer { close(master) }
        let slave = open(name, O_RDWR | O_NOCTTY)
        XCTAssertGreaterThanOrEqual(slave, 0)
        defer { close(slave) }
        var size = winsize(ws_row: 24, ws_col: 80, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(slave, UInt(TIOCSWINSZ), &size)

        let p = process([], environment: terminalEnvironment())
        let terminal = FileHandle(fileDescriptor: slave, closeOnDealloc: false)
        p.standardInput = terminal
        p.standardOutput = terminal
        p.standardError = terminal
        try p.run()
        let screen = TerminalOutput(fd: master)
        func type(_ keys: String) { _ = keys.utf8CString.withUnsafeBufferPointer { Glibc.write(master, $0.baseAddress, $0.count - 1) } }
        func expect(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertTrue(screen.expect(text), "never saw \(text.debugDescription); got \(screen.pending.debugDescription)",
                          file: file, line: line)
        }
        let prompt = "\r\u{1b}[J> \r\u{1b}[2C"   // an empty line after "> "
        let more = "\r\u{1b}[J>> \r\u{1b}[3C"    // the continuation prompt
        let (up, down, left) = ("\u{1b}[A", "\u{1b}[B", "\u{1b}[D")
        let (home, end, delete) = ("\u{1b}[H", "\u{1b}[F", "\u{1b}[3~")

        expect("dynlua ")  // the banner: a terminal with no script starts a session
        expect(prompt)
        type("x = 40\r"); expect(prompt)
        type("x + 2\r"); expect("\r\n42\r\n"); expect(prompt)
        // Up, Up, Down: back to the latest entry, "x + 2".
        type(up + up + down + "\r"); expect("\r\n42\r\n"); expect(prompt)
        // Up recalls "x + 2"; Left, Backspace, "1" edit it into "x +12".
        type(up + left + "\u{7f}1\r"); expect("\r\n52\r\n"); expect(prompt)
        // Home/End keys and Ctrl-A/Ctrl-E, Delete and Ctrl-D (delete under the cursor).
        type("10" + home + "-" + end + "0\r"); expect("\r\n-100\r\n"); expect(prompt)
        type("2\u{1}-\u{5}5\r"); expect("\r\n-25\r\n"); expect(prompt)
        type("123" + left + left + delete + "\u{2}\u{4}\r"); expect("\r\n3\r\n"); expect(prompt)
        // Ctrl-C drops the line, Ctrl-U/Ctrl-K cut before/after the cursor.
        type("abc\u{3}"); expect("^C\r\n"); expect(prompt)
        type("7\r"); expect("\r\n7\r\n"); expect(prompt)
        type("junk 8" + left + "\u{15}" + end + "\u{8}9" + home + "\u{b}4\r"); expect("\r\n4\r\n"); expect(prompt)
        // Multi-line input, then an error that does not end the session.
        type("for i = 1, 2 do\r"); expect(more)
        type("print(i * 10)\r"); expect(more)
        type("end\r"); expect("\r\n10\r\n20\r\n"); expect(prompt)
        type("error('oops')\r"); expect("\r\nstdin:1: oops\r\nstack traceback:"); expect(prompt)
        // Ctrl-C while code runs: an "interrupted" error, and the session goes on.
        type("io.write('go\\n') while true do end\r"); expect("go\r\n")
        p.interrupt()
        expect("stdin:1: interrupted\r\n"); expect(prompt)
        type("x\r"); expect("\r\n40\r\n"); expect(prompt)
        // Ctrl-D on an empty line ends the session; the terminal is back in its normal mode.
        type("\u{4}")
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        var mode = termios()
        XCTAssertEqual(tcgetattr(slave, &mode), 0)
        XCTAssertNotEqual(mode.c_lflag & tcflag_t(ICANON), 0)
        XCTAssertNotEqual(mode.c_lflag & tcflag_t(ECHO), 0)
        XCTAssertNotEqual(mode.c_lflag & tcflag_t(ISIG), 0)
    }
}

/// A new pseudo-terminal: the master's descriptor and the slave's path. Glibc's module map hides
/// the pty functions (they sit behind _XOPEN_SOURCE), so they are looked up by name.
func openPseudoTerminal() -> (Int32, String)? {
    func function<T>(_ name: String, _: T.Type) -> T? {
        dlsym(nil, name).map { unsafeBitCast($0, to: T.self) }
    }
    typealias IntOfInt = @convention(c) (Int32) -> Int32
    typealias Name = @convention(c) (Int32, UnsafeMutablePointer<CChar>?, Int) -> Int32
    guard let openpt = function("posix_openpt", IntOfInt.self), let grant = function("grantpt", IntOfInt.self),
          let unlock = function("unlockpt", IntOfInt.self), let name = function("ptsname_r", Name.self) else { return nil }
    let master = openpt(O_RDWR | O_NOCTTY)
    guard master >= 0 else { return nil }
    var path = [CChar](repeating: 0, count: 128)
    guard grant(master) == 0, unlock(master) == 0, name(master, &path, path.count) == 0 else {
        close(master)
        return nil
    }
    return (master, String(cString: path))
}

/// What a program wrote on a pseudo-terminal, read from its master side as it comes.
final class TerminalOutput {
    let fd: Int32
    private var bytes: [UInt8] = []
    var pending: String { String(decoding: bytes, as: UTF8.self) }

    init(fd: Int32) { self.fd = fd }

    /// Waits (up to `timeout` seconds) for `text`, and drops everything up to its end.
    func expect(_ text: String, timeout: TimeInterval = 10) -> Bool {
        let needle = Array(text.utf8)
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let end = find(needle) {
                bytes.removeFirst(end)
                return true
            }
            guard Date() < deadline else { return false }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 { return find(needle) != nil }
            bytes += chunk[..<n]
        }
    }

    private func find(_ needle: [UInt8]) -> Int? {
        guard needle.count <= bytes.count else { return nil }
        for start in 0...(bytes.count - needle.count) where bytes[start..<(start + needle.count)].elementsEqual(needle) {
            return start + needle.count
        }
        return nil
    }
}

import Foundation
import XCTest

/// `dynlua --sandbox [--allow DIR]...`: files only under the working directory (the test's
/// `dir`) and the allowed directories, symbolic links followed; no programs, native code or
/// bytecode. Each escape is tried for real, and what must stay untouched is checked on disk.
extension CLITests {
    /// A directory beside `dir` (outside the sandbox unless allowed), removed after the test.
    func sibling(_ name: String) throws -> URL {
        let url = URL(fileURLWithPath: dir.path + "-" + name)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func link(_ name: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent(name).path, withDestinationPath: target)
    }

    /// The sandbox's refusal of `path` (as the script wrote it), given the allowed trees.
    func refusal(_ op: String, _ path: String, leadsTo target: String? = nil, allowed: [URL] = []) -> String {
        let roots = ([dir!] + allowed).map { $0.resolvingSymlinksInPath().path }.joined(separator: ", ")
        let leads = target.map { " leads to \($0), which is" } ?? " is"
        return "\(op): '\(path)'\(leads) outside the directories the sandbox allows (\(roots))"
    }

    func testSandboxRefusesPathsOutside() throws {
        let outside = try sibling("outside").resolvingSymlinksInPath()
        try "secret".write(to: outside.appendingPathComponent("secret.txt"), atomically: true, encoding: .utf8)
        let secret = outside.appendingPathComponent("secret.txt").path
        let up = "../" + outside.lastPathComponent
        try link("link.txt", to: secret)
        try link("outdir", to: up)
        try link("dangling.txt", to: up + "/new.txt")
        try link("loop1", to: "loop2")
        try link("loop2", to: "loop1")
        try write("inside.txt", "mine")
        try write("escape.lua", """
        local function show(...) print((select(2, ...))) end  -- the message of (nil, message, code)
        show(io.open('\(up)/secret.txt'))
        show(io.open('\(secret)'))
        show(io.open('link.txt'))
        show(io.open('outdir/secret.txt'))
        show(io.open('dangling.txt', 'w'))
        show(io.open('loop1'))
        show(io.open('/proc/self/root\(secret)'))
        show(pcall(io.lines, '\(secret)'))
        show(pcall(io.input, '\(secret)'))
        show(pcall(io.output, '\(up)/out.txt'))
        show(pcall(dofile, '\(secret)'))
        show(loadfile('\(secret)'))
        show(os.remove('\(secret)'))
        show(os.rename('inside.txt', '\(up)/moved.txt'))
        show(package.searchpath('secret', '\(outside.path)/?.txt'))
        package.path = '\(outside.path)/?.txt'
        show(pcall(require, 'secret'))
        show(io.open('nul\\0/../../x'))
        show(io.open('bad\\255name'))
        """)
        let r = try run(["--sandbox", "escape.lua"])
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.err, "")
        let expected = [
            refusal("io.open", "\(up)/secret.txt"),
            refusal("io.open", secret),
            refusal("io.open", "link.txt", leadsTo: secret),
            refusal("io.open", "outdir/secret.txt", leadsTo: secret),
            refusal("io.open", "dangling.txt", leadsTo: outside.path + "/new.txt"),
            "io.open: 'loop1' cannot be resolved (a loop of symbolic links, a path too long, or no working directory)",
            refusal("io.open", "/proc/self/root\(secret)", leadsTo: secret),
            refusal("io.lines", secret),
            refusal("io.input", secret),
            refusal("io.output", "\(up)/out.txt"),
            refusal("dofile", secret),
            refusal("loadfile", secret),
            refusal("os.remove", secret),
            refusal("os.rename", "\(up)/moved.txt"),
            "no file '\(outside.path)/secret.txt' (not allowed by the sandbox)",
            "module 'secret' not found:\n\tno field package.preload['secret']\n\tno file '\(outside.path)/secret.txt' (not allowed by the sandbox)",
            "io.open: the file name contains a NUL byte",
            "io.open: the file name is not valid UTF-8",
        ]
        XCTAssertEqual(r.out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init),
                       expected.joined(separator: "\n").split(separator: "\n", omittingEmptySubsequences: false).map(String.init) + [""])
        // Nothing outside changed; nothing was created through the dangling link.
        XCTAssertEqual(try String(contentsOfFile: secret, encoding: .utf8), "secret")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outside.path), ["secret.txt"])
        XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("inside.txt"), encoding: .utf8), "mine")
    }

    func testSandboxRemovesProgramsNativeCodeAndBytecode() throws {
        try write("cmod.so", "not really a library")  // what the C searcher would try to load
        let code = """
        for _, f in ipairs{'io.popen', 'os.execute', 'package.loadlib'} do
          local t, k = f:match('(%w+)%.(%w+)')
          print(select(2, pcall(_G[t][k], 'ls')))
        end
        print(load(string.dump(function() return 1 end)))
        print(#package.searchers, debug.getupvalue, debug.setupvalue, debug.getregistry, debug.sethook,
              type(debug.traceback), type(debug.getinfo), package.loaded.debug == debug)
        package.cpath = './?.so'
        local missing = select(2, pcall(require, 'cmod'))
        print(missing:match('^[^\\n]*'), missing:find('.so', 1, true))
        local ok, message = pcall(os.tmpname)
        print(ok, message:match('^os%.tmpname: \\'(.-)\\''))
        """
        let r = try run(["--sandbox", "-e", code])
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.err, "")
        let lines = r.out.split(separator: "\n").map(String.init)
        guard lines.count == 7 else { return XCTFail(r.out) }
        XCTAssertEqual(Array(lines.prefix(6)), [
            "io.popen is not available in the sandbox",
            "os.execute is not available in the sandbox",
            "package.loadlib is not available in the sandbox",
            "nil\t\(Self.binaryRefused)",
            "2\tnil\tnil\tnil\tnil\tfunction\tfunction\ttrue",
            "module 'cmod' not found:\tnil",
        ])
        // os.tmpname made its file in the system's temporary directory, outside: removed again.
        let tmp = lines[6].split(separator: "\t").map(String.init)
        XCTAssertEqual(tmp.first, "false")
        XCTAssertTrue(tmp.count == 2 && tmp[1].hasPrefix("/"), r.out)
        XCTAssertFalse(FileManager.default.fileExists(atPath: tmp.last!), tmp.last!)
        // Outside the sandbox the same require reaches the C searcher (and fails to load the file).
        let plain = try run(["-e", "package.cpath = './?.so' print(select(2, pcall(require, 'cmod')))"])
        XCTAssertTrue(plain.out.hasPrefix("error loading module 'cmod' from file './cmod.so':"), plain.out)
    }

    func testSandboxAllowsWorkInsideTheAllowedTrees() throws {
        let allowed = try sibling("allowed")
        let shared = allowed.appendingPathComponent("shared.txt")
        try "shared".write(to: shared, atomically: true, encoding: .utf8)
        try write("data.txt", "1\n2\n3\n")
        try write("helper.lua", "return { twice = function(x) return 2 * x end }")
        try link("alias.txt", to: "data.txt")
        try link("to-allowed", to: allowed.path)
        let code = """
        local sum = 0
        for line in io.lines('alias.txt') do sum = sum + tonumber(line) end
        local out = assert(io.open('out.txt', 'w')) out:write(require('helper').twice(sum)) out:close()
        assert(os.rename('out.txt', 'renamed.txt'))
        print(io.open('renamed.txt'):read('a'), io.open('to-allowed/shared.txt'):read('a'))
        local far = assert(io.open('\(allowed.path)/made.txt', 'w')) far:write('far') far:close()
        assert(os.remove('data.txt'))
        print(select(2, io.open('data.txt')), dofile('helper.lua').twice(4))
        local name = os.tmpname()
        print(name:sub(1, 5), assert(os.remove(name)))
        """
        let r = try run(["--sandbox", "--allow", allowed.path, "--allow=/tmp", "-e", code])
        XCTAssertEqual(r.err, "")
        XCTAssertEqual(r.status, 0)
        XCTAssertEqual(r.out, "12\tshared\ndata.txt: No such file or directory\t8\n/tmp/\ttrue\n")
        XCTAssertEqual(try String(contentsOf: allowed.appendingPathComponent("made.txt"), encoding: .utf8), "far")
    }

    func testSandboxUsage() throws {
        let without = try run(["--allow", "/tmp", "-e", "print(1)"])
        XCTAssertEqual(without.status, 1)
        XCTAssertTrue(without.err.hasPrefix("dynlua: '--allow' needs '--sandbox'\n"), without.err)
        let bytecode = try run(["--sandbox", "--bytecode", "-e", "print(1)"])
        XCTAssertEqual(bytecode.status, 1)
        XCTAssertTrue(bytecode.err.hasPrefix("dynlua: '--bytecode' cannot be used with '--sandbox'\n"), bytecode.err)
        let missing = try run(["--sandbox", "--allow", "/no/such/dir", "-e", "print(1)"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.out, "")
        XCTAssertEqual(missing.err, "dynlua: --allow /no/such/dir: No such file or directory\n")
        try write("plain.txt", "")
        let file = try run(["--sandbox", "--allow", "plain.txt", "-e", "print(1)"])
        XCTAssertEqual(file.err, "dynlua: --allow plain.txt: not a directory\n")
        XCTAssertTrue(try run(["--allow"]).err.hasPrefix("dynlua: '--allow' needs argument\n"))
        XCTAssertTrue(try run(["--sandbox=1"]).err.hasPrefix("dynlua: '--sandbox' takes no value\n"))
    }
}

extension CLITests {
    /// dynlua's own readers and writers obey the same sandbox as Lua's io library: every one of
    /// them refuses a path outside (directly, by `..`, or through a link), and works inside.
    func testSandboxCoversDynluasOwnFiles() throws {
        let outside = try sibling("far").resolvingSymlinksInPath()
        let up = "../" + outside.lastPathComponent
        try link("away", to: outside.path)
        try "a,b,label\n1,2,1\n".write(to: outside.appendingPathComponent("d.csv"), atomically: true, encoding: .utf8)
        let code = """
        local t = tensor.new({1, 2, 3})
        local m = nn.Linear(2, 2)
        local fig = plot.figure{}
        local model = nn.Sequential(nn.Linear(2, 2))
        local function fit(opts)
          local o = { model = model, loss = nn.CrossEntropyLoss(), optimizer = optim.SGD(model, {lr = 0.1}),
                      x = tensor.new({{1, 2}}), y = {1}, steps = 2, progress = false }
          for k, v in pairs(opts) do o[k] = v end
          return train.fit(o)
        end
        local attempts = {
          function() t:save('\(up)/t.npy') end,
          function() t:save('away/t.npy') end,
          function() tensor.load('\(outside.path)/t.npy') end,
          function() m:save('\(up)/m.dyn') end,
          function() nn.load('away/m.dyn') end,
          function() fig:save('\(up)/f.svg') end,
          function() data.csv('away/d.csv') end,
          function() fit{ log = '\(up)/run.csv' } end,
          function() fit{ checkpoint = { path = 'away/ck', every = 1 } } end,
        }
        for _, f in ipairs(attempts) do
          local ok, message = pcall(f)
          print(ok, (tostring(message):gsub('^[^:]*:%d+: ', '')))
        end
        t:save('t.npy'); m:save('m.dyn'); fig:save('f.svg')
        fit{ log = 'run.csv', checkpoint = { path = 'ck', every = 1 } }
        print(tensor.load('t.npy'):sum(), nn.load('m.dyn'):num_parameters())
        """
        let r = try run(["--sandbox", "-e", code])
        XCTAssertEqual(r.err, "")
        XCTAssertEqual(r.status, 0)
        let lines = r.out.split(separator: "\n").map(String.init)
        guard lines.count == 10 else { return XCTFail(r.out) }
        for line in lines.prefix(9) {
            XCTAssertTrue(line.hasPrefix("false\t"), line)
            XCTAssertTrue(line.contains("outside the directories the sandbox allows"), line)
        }
        XCTAssertEqual(lines[9], "6.0\t6")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outside.path), ["d.csv"])
        for made in ["t.npy", "m.dyn", "f.svg", "run.csv", "ck"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent(made).path), made)
        }
    }
}

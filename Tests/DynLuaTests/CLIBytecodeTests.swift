import Foundation
import XCTest

/// Binary chunks (string.dump's output): refused by default, since Lua loads them unchecked and
/// a corrupted one can crash the process; `--bytecode` allows them.
extension CLITests {
    static let binaryRefused = "cannot load a binary chunk: dynlua loads text chunks only (--bytecode allows binary ones, outside --sandbox)"

    /// chunk.luac: a real string.dump chunk that prints and returns 40 + its argument count;
    /// binmod.lua: the same bytes under a module's name.
    func writeBinaryChunk() throws {
        let dump = "local f = assert(io.open('chunk.luac', 'wb'))\n"
            + "f:write(string.dump(function(...) print(40 + select('#', ...)) return 40 + select('#', ...) end)) f:close()"
        XCTAssertEqual(try run(["--bytecode", "-e", dump]).status, 0)
        let bytes = try Data(contentsOf: dir.appendingPathComponent("chunk.luac"))
        XCTAssertEqual(Array(bytes.prefix(4)), [0x1b, 0x4c, 0x75, 0x61])  // ESC "Lua": binary
        try bytes.write(to: dir.appendingPathComponent("binmod.lua"))
    }

    func testBinaryChunksAreRefusedByDefault() throws {
        try writeBinaryChunk()
        let code = """
        local s = io.open('chunk.luac', 'rb'):read('a')
        print(load(s))
        print(load(s, 'c', 'b'))
        print(load(s, 'c', 't'))
        print(loadfile('chunk.luac'))
        print(pcall(dofile, 'chunk.luac'))
        print(pcall(require, 'binmod'))
        print(load('return 5')(), load('return 6', 'c', 'bt')(), loadfile('t.lua', 't', {x = 7})())
        """
        try write("t.lua", "return x")
        let r = try run(["-e", code])
        XCTAssertEqual(r.err, "")
        let refused = Self.binaryRefused
        XCTAssertEqual(r.out, """
        nil\t\(refused)
        nil\t\(refused)
        nil\tattempt to load a binary chunk (mode is 't')
        nil\t\(refused)
        false\t\(refused)
        false\terror loading module 'binmod' from file './binmod.lua':
        \t\(refused)
        5\t6\t7

        """)
        let script = try run(["chunk.luac", "a", "b"])
        XCTAssertEqual(script.status, 1)
        XCTAssertEqual(script.out, "")
        XCTAssertEqual(script.err, "dynlua: \(refused)\n")
    }

    func testBytecodeOptionAllowsBinaryChunks() throws {
        try writeBinaryChunk()
        let code = """
        local s = io.open('chunk.luac', 'rb'):read('a')
        print(load(s)(1), load(s, 'c', 'b')(1, 2), loadfile('chunk.luac')(1, 2, 3), dofile('chunk.luac'), require('binmod'))
        """
        let r = try run(["--bytecode", "-e", code])
        XCTAssertEqual(r.err, "")
        // Each call prints its own line first; require passes the module name and file path.
        XCTAssertEqual(r.out, "41\n42\n43\n40\n42\n41\t42\t43\t40\t42\t./binmod.lua\n")
        let script = try run(["--bytecode", "chunk.luac", "a", "b"])
        XCTAssertEqual(script.status, 0)
        XCTAssertEqual(script.out, "42\n")
    }
}

import XCTest
import Foundation

/// The interactive session on a pseudo-terminal: completion, history search, the history file,
/// wrapping of long lines, the printing of tables and help.
extension CLITests {
    final class Session {
        let master: Int32, slave: Int32
        let process: Process
        let screen: TerminalOutput

        init(_ test: CLITests, args: [String] = [], columns: UInt16 = 80, environment: [String: String] = [:]) throws {
            guard let (master, name) = openPseudoTerminal() else { throw XCTSkip("no pseudo-terminal") }
            self.master = master
            slave = open(name, O_RDWR | O_NOCTTY)
            var size = winsize(ws_row: 24, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
            _ = ioctl(slave, UInt(TIOCSWINSZ), &size)
            process = test.process(args, environment: test.terminalEnvironment().merging(environment) { $1 })
            let terminal = FileHandle(fileDescriptor: slave, closeOnDealloc: false)
            process.standardInput = terminal
            process.standardOutput = terminal
            process.standardError = terminal
            try process.run()
            screen = TerminalOutput(fd: master)
        }

        func type(_ keys: String) { _ = keys.utf8CString.withUnsafeBufferPointer { Glibc.write(master, $0.baseAddress, $0.count - 1) } }

        func expect(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertTrue(screen.expect(text), "never saw \(text.debugDescription); got \(screen.pending.debugDescription)",
                          file: file, line: line)
        }

        /// At the prompt (keys typed while a statement runs meet the terminal in its normal
        /// mode, where Ctrl-U and Ctrl-D mean something else): Ctrl-U (the line emptied),
        /// Ctrl-D on the empty line, and the exit status; a session
        /// that has not ended 10 seconds later is killed (status -1).
        func end() -> Int32 {
            expect(CLITests.prompt)
            type("\u{15}\u{4}")
            let exited = DispatchSemaphore(value: 0)
            let process = self.process
            Thread.detachNewThread { process.waitUntilExit(); exited.signal() }
            let ended = exited.wait(timeout: .now() + 10) == .success
            if !ended { process.terminate(); exited.wait() }
            close(slave)
            close(master)
            return ended ? process.terminationStatus : -1
        }
    }

    static let prompt = "\r\u{1b}[J> \r\u{1b}[2C"

    func testTabCompletesGlobalsFieldsAndMethods() throws {
        let s = try Session(self)
        s.expect(Self.prompt)
        // One candidate: completed in place (the line is redrawn with it).
        s.type("tensor.ey\t"); s.expect("\r\u{1b}[J> tensor.eye\r\u{1b}[12C")
        s.type("(2)\r"); s.expect("\r\n"); s.expect(Self.prompt)
        // Several, agreeing on "rand": completed to it; a second Tab lists them under the line.
        s.type("tensor.ra\t"); s.expect("> tensor.rand\r\u{1b}[13C")
        s.type("\t"); s.expect("\r\nrand   randn\r\n"); s.expect("> tensor.rand\r\u{1b}[13C")
        s.type("\u{15}x = tensor.zeros(3)\r"); s.expect(Self.prompt)
        // A method of a tensor, from its method table.
        s.type("x:su\t"); s.expect("> x:sum\r\u{1b}[7C")
        s.type("()\r"); s.expect("\r\n0.0\r\n"); s.expect(Self.prompt)
        // At the start of a line, Tab indents.
        s.type("\t"); s.expect("\r\u{1b}[J>   \r\u{1b}[4C")
        s.type("\u{15}")
        // Nothing fits: the bell, and the line stays.
        s.type("nosuch.\t"); s.expect("\u{7}")
        s.type("\u{15}")
        XCTAssertEqual(s.end(), 0)
    }

    func testReverseSearchAndHistoryFile() throws {
        let history = dir.appendingPathComponent(".dynlua_history")
        try "old = 1\n".write(to: history, atomically: true, encoding: .utf8)
        let s = try Session(self)
        s.expect(Self.prompt)
        s.type("alpha = 11\r"); s.expect(Self.prompt)
        s.type("beta = 22\r"); s.expect(Self.prompt)
        // Ctrl-R: the newest line holding "a = "; again: an older one; Enter runs it.
        s.type("\u{12}a = "); s.expect("(reverse-i-search)`a = ': beta = 22")
        s.type("\u{12}"); s.expect("(reverse-i-search)`a = ': alpha = 11")
        s.type("\r"); s.expect(Self.prompt)
        // A query nothing matches says so; Ctrl-G restores the line typed before the search.
        s.type("kept\u{12}zzz"); s.expect("(failed reverse-i-search)`zzz': ")
        s.type("\u{7}"); s.expect("\r\u{1b}[J> kept\r\u{1b}[6C")
        // Up reaches the entries of an earlier session (from the file).
        s.type("\u{15}" + String(repeating: "\u{1b}[A", count: 4) + "\r"); s.expect(Self.prompt)
        s.type("old\r"); s.expect("\r\n1\r\n")
        XCTAssertEqual(s.end(), 0)
        // Each line run was appended, in order (the recalled ones too).
        XCTAssertEqual(try String(contentsOf: history, encoding: .utf8), "old = 1\nalpha = 11\nbeta = 22\nalpha = 11\nold = 1\nold\n")
    }

    /// The file is read back bounded (the last 1000 entries; rewritten once past 2000), and
    /// --sandbox neither reads nor writes it.
    func testHistoryFileIsBoundedAndNotUsedInTheSandbox() throws {
        let history = dir.appendingPathComponent(".dynlua_history")
        try (1...2500).map { "x = \($0)\n" }.joined().write(to: history, atomically: true, encoding: .utf8)
        let s = try Session(self)
        s.expect(Self.prompt)
        s.type("\u{1b}[A\r"); s.expect(Self.prompt)
        s.type("x\r"); s.expect("\r\n2500\r\n")
        XCTAssertEqual(s.end(), 0)
        let lines = try String(contentsOf: history, encoding: .utf8).split(separator: "\n")
        // The 1000 kept, plus "x" (the recalled "x = 2500" repeats the last entry: not added).
        XCTAssertEqual(lines.count, 1000 + 1)
        XCTAssertEqual(lines.first, "x = 1501")

        let before = try String(contentsOf: history, encoding: .utf8)
        let sandboxed = try Session(self, args: ["--sandbox"])
        sandboxed.expect(Self.prompt)
        sandboxed.type("\u{1b}[A"); sandboxed.type("y = 5\r"); sandboxed.expect(Self.prompt)
        sandboxed.type("y\r"); sandboxed.expect("\r\n5\r\n")  // Up found nothing to recall
        XCTAssertEqual(sandboxed.end(), 0)
        XCTAssertEqual(try String(contentsOf: history, encoding: .utf8), before)
    }

    /// A line longer than the terminal wraps; editing its first row redraws every row from the
    /// prompt on (the old text is cleared with ESC [J, not left on screen).
    func testLongLinesWrap() throws {
        let s = try Session(self, columns: 20)
        s.expect(Self.prompt)
        let text = "abc = 'x'; long = 12345678901234567890"
        s.type(text)
        // 2 + 38 = 40 characters fill exactly two rows: the cursor goes to the start of the third.
        // (The terminal shows each line feed as CR LF.)
        s.expect("\r\u{1b}[J> " + text + "\r\n\r")
        // Home: up two rows to the first, column 2.
        s.type("\u{1}"); s.expect("\u{1b}[2A\r\u{1b}[J> " + text + "\r\n\u{1b}[2A\r\u{1b}[2C")
        s.type("\u{1b}[3~\u{1b}[3~\u{1b}[3~"); s.expect("\r\u{1b}[J> " + text.dropFirst(3) + "\u{1b}[1A\r\u{1b}[2C")
        s.type("x\r"); s.expect("\u{1b}[1B\r\n")
        s.type("x\r"); s.expect("\r\nx\r\n")
        XCTAssertEqual(s.end(), 0)
    }

    func testTablesAndHelpAtThePrompt() throws {
        let s = try Session(self, environment: ["DYNLUA_DOCS": URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/api").path])
        s.expect(Self.prompt)
        s.type("{1, 2, 3}, {a = {}}\r"); s.expect("\r\n{1, 2, 3}\t{a = {}}\r\n")
        s.type("help(tensor.zeros)\r"); s.expect("\r\n### `tensor.zeros(d1, d2, ... [, dtype])`")
        s.expect("(docs/api/tensor.md, line ")
        XCTAssertEqual(s.end(), 0)
    }
}

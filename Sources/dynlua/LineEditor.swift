import Foundation

/// What the interactive session gets from a line reader.
enum LineInput: Equatable { case line(String), cancel, endOfFile }

protocol LineReader {
    mutating func readLine(prompt: String) -> LineInput
}

/// Standard input that is not a terminal: prompts are written, lines read as they come.
struct PlainLineReader: LineReader {
    mutating func readLine(prompt: String) -> LineInput {
        Console.out(prompt)
        if let line = Swift.readLine(strippingNewline: true) { return .line(line) }
        Console.out("\n")
        return .endOfFile
    }
}

/// A line editor on the terminal: the terminal is in raw mode only while a line is being read
/// (never while Lua code runs), keys edit an `EditLine`, Tab asks `complete` for the names that
/// fit, and submitted lines go to the history (and to the history file, when there is one).
struct LineEditor: LineReader {
    private(set) var history: [String]
    private var terminal = RawTerminal(fd: STDIN_FILENO)
    /// The names completing the text before the cursor, and where the word they replace starts.
    private let complete: (String) -> (start: Int, names: [String])
    private let historyFile: HistoryFile?
    /// How many rows below the prompt's first row the cursor was left by the last redraw.
    private var cursorRow = 0

    init(historyFile: HistoryFile? = nil, complete: @escaping (String) -> (start: Int, names: [String]) = { _ in (0, []) }) {
        self.historyFile = historyFile
        self.complete = complete
        history = historyFile?.load() ?? []
    }

    mutating func readLine(prompt: String) -> LineInput {
        guard terminal.enable() else { return readPlainLine(prompt: prompt) }
        defer { terminal.restore() }
        var line = EditLine(history: history)
        cursorRow = 0
        render(prompt, line)
        while let key = Key.read(readByte) {
            switch line.apply(key) {
            case .editing:
                render(prompt, line)
            case .complete:
                completeWord(&line, prompt: prompt)
            case .submit(let s):
                finishLine(prompt, line)
                if !s.allSatisfy(\.isWhitespace) && history.last != s {
                    history.append(s)
                    historyFile?.append(s)
                }
                return .line(s)
            case .cancel:
                finishLine(prompt, line, mark: "^C")
                return .cancel
            case .endOfFile:
                finishLine(prompt, line)
                return .endOfFile
            }
        }
        finishLine(prompt, line)
        return .endOfFile
    }

    // MARK: drawing

    /// What is shown before the text: the prompt, or the state of a Ctrl-R search.
    private func shownPrompt(_ prompt: String, _ line: EditLine) -> String {
        guard let query = line.searchQuery else { return prompt }
        return "(\(line.searchFailed ? "failed " : "")reverse-i-search)`\(String(String.UnicodeScalarView(query)))': "
    }

    /// Redraws the prompt and the line from the prompt's first row, wrapped at the terminal's
    /// width (one column per character), and puts the cursor back where it belongs.
    private mutating func render(_ prompt: String, _ line: EditLine) {
        let columns = max(terminal.columns, 2)
        let shown = shownPrompt(prompt, line)
        let promptWidth = shown.unicodeScalars.count
        let total = promptWidth + line.text.count
        var out = (cursorRow > 0 ? "\u{1b}[\(cursorRow)A" : "") + "\r\u{1b}[J" + shown + line.string
        // Text ending exactly at the right margin leaves the terminal's cursor there; a line
        // feed moves it to the next row, where the arithmetic below expects it.
        if total > 0 && total % columns == 0 { out += "\n" }
        let endRow = total / columns
        let target = promptWidth + line.cursor
        let row = target / columns, column = target % columns
        if endRow > row { out += "\u{1b}[\(endRow - row)A" }
        out += "\r" + (column > 0 ? "\u{1b}[\(column)C" : "")
        cursorRow = row
        Console.out(out)
    }

    /// Leaves the edited line on screen and moves below it.
    private mutating func finishLine(_ prompt: String, _ line: EditLine, mark: String = "") {
        let columns = max(terminal.columns, 2)
        let endRow = (shownPrompt(prompt, line).unicodeScalars.count + line.text.count) / columns
        Console.out((endRow > cursorRow ? "\u{1b}[\(endRow - cursorRow)B" : "") + mark + "\n")
        cursorRow = 0
    }

    // MARK: completion

    /// Tab: completes the word as far as all candidates agree; when they agree no further,
    /// lists them (up to 100) below the line and redraws it.
    private mutating func completeWord(_ line: inout EditLine, prompt: String) {
        let before = line.beforeCursor
        // At the start of a line or after a space, Tab indents (two spaces) as in an editor.
        if before.last.map({ $0 == " " || $0 == "\t" }) ?? true {
            line.replace(from: Array(before.unicodeScalars).count, with: "  ")
            render(prompt, line)
            return
        }
        let (start, names) = complete(before)
        let typed = String(String.UnicodeScalarView(Array(before.unicodeScalars)[start...]))
        guard !names.isEmpty else { Console.out("\u{7}"); return }
        let common = LineEditor.commonPrefix(names)
        if common.unicodeScalars.count > typed.unicodeScalars.count || names.count == 1 {
            line.replace(from: start, with: common)
            render(prompt, line)
            return
        }
        finishLine(prompt, line)
        Console.out(LineEditor.columnsText(names, width: terminal.columns))
        render(prompt, line)
    }

    static func commonPrefix(_ names: [String]) -> String {
        guard var prefix = names.first.map({ Array($0.unicodeScalars) }) else { return "" }
        for name in names.dropFirst() {
            let s = Array(name.unicodeScalars)
            var n = 0
            while n < prefix.count && n < s.count && prefix[n] == s[n] { n += 1 }
            prefix.removeSubrange(n...)
        }
        return String(String.UnicodeScalarView(prefix))
    }

    /// Names in columns that fit `width`, one row per line.
    static func columnsText(_ names: [String], width: Int) -> String {
        let shown = Array(names.prefix(100))
        let cell = (shown.map { $0.unicodeScalars.count }.max() ?? 0) + 2
        let perRow = max(1, width / max(cell, 1))
        var out = ""
        for (i, name) in shown.enumerated() {
            let last = i % perRow == perRow - 1 || i == shown.count - 1
            out += last ? name + "\n" : name.padding(toLength: cell, withPad: " ", startingAt: 0)
        }
        if names.count > shown.count { out += "... and \(names.count - shown.count) more\n" }
        return out
    }

    // MARK: input

    private func readByte() -> UInt8? {
        var b: UInt8 = 0
        while true {
            let n = read(terminal.fd, &b, 1)
            if n == 1 { return b }
            if n < 0 && errno == EINTR { continue }
            return nil
        }
    }

    /// When the terminal refuses raw mode: read bytes up to a newline, without editing.
    private func readPlainLine(prompt: String) -> LineInput {
        Console.out(prompt)
        var bytes: [UInt8] = []
        while let b = readByte() {
            if b == UInt8(ascii: "\n") { return .line(String(decoding: bytes, as: UTF8.self)) }
            bytes.append(b)
        }
        return bytes.isEmpty ? .endOfFile : .line(String(decoding: bytes, as: UTF8.self))
    }
}

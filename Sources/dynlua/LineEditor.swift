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
/// (never while Lua code runs), keys edit an `EditLine`, and submitted lines go to the history
/// of this session.
struct LineEditor: LineReader {
    private(set) var history: [String] = []
    private var terminal = RawTerminal(fd: STDIN_FILENO)

    mutating func readLine(prompt: String) -> LineInput {
        guard terminal.enable() else { return readPlainLine(prompt: prompt) }
        defer { terminal.restore() }
        var line = EditLine(history: history)
        render(prompt, line)
        while let key = Key.read(readByte) {
            switch line.apply(key) {
            case .editing:
                render(prompt, line)
            case .submit(let s):
                Console.out("\n")
                if !s.isEmpty && history.last != s { history.append(s) }
                return .line(s)
            case .cancel:
                Console.out("^C\n")
                return .cancel
            case .endOfFile:
                Console.out("\n")
                return .endOfFile
            }
        }
        Console.out("\n")
        return .endOfFile
    }

    /// Redraws the prompt and the line; a line wider than the terminal scrolls sideways so the
    /// cursor stays visible.
    private func render(_ prompt: String, _ line: EditLine) {
        let promptWidth = prompt.unicodeScalars.count
        let width = max(terminal.columns - promptWidth - 1, 1)
        let first = max(0, line.cursor - width + 1)
        let shown = line.text[first..<min(line.text.count, first + width)]
        let column = promptWidth + line.cursor - first
        Console.out("\r" + prompt + String(String.UnicodeScalarView(shown)) + "\u{1b}[K\r"
                    + (column > 0 ? "\u{1b}[\(column)C" : ""))
    }

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

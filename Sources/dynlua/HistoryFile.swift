import DynCore
import Foundation

/// The interactive session's history across sessions: `~/.dynlua_history`, one entry per line.
/// Each entry is appended as it is run (one write() on an O_APPEND descriptor, so two sessions
/// at once interleave whole lines). Reading keeps the last `kept` entries; a file grown past
/// twice that is rewritten to them (through AtomicFile: a crash leaves the old file or the new
/// one). History is a convenience: a file that cannot be read or written is ignored.
struct HistoryFile {
    static let kept = 1000
    let path: String

    /// The file in $HOME, or none: under --sandbox nothing is read or written outside the
    /// directories it allows, the history file included; nor without a home directory.
    static func standard(sandboxed: Bool) -> HistoryFile? {
        guard !sandboxed, let home = ProcessInfo.processInfo.environment["HOME"], !home.isEmpty else { return nil }
        return HistoryFile(path: (home as NSString).appendingPathComponent(".dynlua_history"))
    }

    func load() -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        let last = Array(lines.suffix(HistoryFile.kept))
        if lines.count > 2 * HistoryFile.kept {
            try? AtomicFile.write(last.map { $0 + "\n" }.joined(), to: path, op: "history")
        }
        return last
    }

    func append(_ entry: String) {
        // An entry never holds a newline (the editor submits one line at a time).
        let bytes = Array((entry + "\n").utf8)
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}

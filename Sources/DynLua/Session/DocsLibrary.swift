import Foundation

/// The API docs (docs/api/*.md) read at run time, for `help` at the prompt. They are found
/// beside the program rather than built into it, so that they stay the one copy there is:
/// `$DYNLUA_DOCS`, else `docs/api` in a directory above the executable (a build inside the
/// repository: .build/debug/dynlua), else `share/dynlua/docs/api` above it (an installation
/// under a prefix, with the binary in bin/).
public struct DocsLibrary {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// The docs for the program at `executable`, and the directories tried (for the message
    /// when none holds them).
    public static func locate(executable: String?, environment: [String: String]) -> (DocsLibrary?, [String]) {
        var tried: [String] = []
        if let dir = environment["DYNLUA_DOCS"], !dir.isEmpty { tried.append(dir) }
        if let executable {
            var dir = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
            for _ in 0..<6 {
                tried.append(dir.appendingPathComponent("docs/api").path)
                tried.append(dir.appendingPathComponent("share/dynlua/docs/api").path)
                dir = dir.deletingLastPathComponent()
            }
        }
        let found = tried.first { FileManager.default.fileExists(atPath: ($0 as NSString).appendingPathComponent("tensor.md")) }
        return (found.map(DocsLibrary.init), tried)
    }

    /// The docs page of a module (plot.md for "plot"), as lines.
    func page(_ name: String) -> [String]? {
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }),
              let data = FileManager.default.contents(atPath: (directory as NSString).appendingPathComponent(name + ".md")) else { return nil }
        return String(decoding: data, as: UTF8.self).components(separatedBy: "\n")
    }

    var pages: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasSuffix(".md") }.map { String($0.dropLast(3)) }.sorted()
    }

    /// The start of a module's page: its title and introduction, up to the first section.
    public func module(_ name: String) -> String? {
        guard let lines = page(name) else { return nil }
        var out: [String] = []
        for line in lines {
            if line.hasPrefix("## ") && !out.isEmpty { break }
            out.append(line)
            if out.count >= 16 { break }
        }
        return trimmed(out) + "\n(docs/api/\(name).md)"
    }

    /// The entry whose heading names `name` as `qualified` ("tensor.zeros", ":sum"): the
    /// heading and what follows it up to the next heading (at most 16 lines). Without such a
    /// heading, the first row of a table (of methods) that mentions it, else the first line,
    /// under the heading of its section. Pages in `preferred` are searched first, then the others.
    public func entry(_ qualified: String, preferred: [String] = []) -> String? {
        let order = preferred + pages.filter { !preferred.contains($0) }
        // Headings first, then rows of tables, then any line.
        let kinds: [(String) -> Bool] = [{ $0.hasPrefix("#") }, { $0.hasPrefix("|") }, { _ in true }]
        for (k, kind) in kinds.enumerated() {
            for name in order {
                guard let lines = page(name) else { continue }
                for (i, line) in lines.enumerated() where kind(line) && mentions(line, qualified) {
                    return k == 0 ? section(lines, from: i, page: name) : row(lines, at: i, page: name)
                }
            }
        }
        return nil
    }

    /// `qualified` followed by something that is not part of a name (so "sum" does not match "summary").
    func mentions(_ line: String, _ qualified: String) -> Bool {
        var rest = Substring(line)
        while let r = rest.range(of: qualified) {
            let after = rest[r.upperBound...].first
            if after.map({ !($0.isLetter || $0.isNumber || $0 == "_") }) ?? true { return true }
            rest = rest[r.upperBound...]
        }
        return false
    }

    private func section(_ lines: [String], from start: Int, page: String) -> String {
        var out = [lines[start]]
        for line in lines[(start + 1)...] {
            if line.hasPrefix("#") || out.count >= 16 { break }
            out.append(line)
        }
        return trimmed(out) + "\n(docs/api/\(page).md, line \(start + 1))"
    }

    private func row(_ lines: [String], at i: Int, page: String) -> String {
        let heading = lines[..<i].last { $0.hasPrefix("#") }
        return ([heading, lines[i]].compactMap { $0 }.joined(separator: "\n")) + "\n(docs/api/\(page).md, line \(i + 1))"
    }

    private func trimmed(_ lines: [String]) -> String {
        var lines = lines
        while lines.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n")
    }
}

import Foundation

/// A results file: one JSON object per line, appended by any number of writers. Each line goes
/// out in one write() on an O_APPEND descriptor and is fsync'd before the next point counts as
/// done, so a crash or kill -9 leaves at worst one incomplete last line, which readers skip
/// (and the next writer closes with a newline before its own line).
enum SweepJournal {
    struct Record {
        let key: String
        let fields: [String: JSONValue]
        var ok: Bool { fields["status"] == .string("ok") }
        var parameters: JSONValue? { fields["parameters"] }
        var results: JSONValue? { fields["results"] }
    }

    /// Fails now, before any point runs, when `path` cannot be appended to.
    static func checkAppendable(_ path: String) throws {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw UsageError("sweep: cannot open '\(path)': \(String(cString: strerror(errno)))") }
        close(fd)
    }

    static func append(_ line: String, to path: String) throws {
        let fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)  // read: the last byte
        guard fd >= 0 else { throw UsageError("sweep: cannot open '\(path)': \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var bytes = Array(line.utf8) + [0x0A]
        // A torn last line (a writer killed mid-write) must not swallow this one.
        var st = stat()
        if fstat(fd, &st) == 0, st.st_size > 0 {
            var last: UInt8 = 0
            if pread(fd, &last, 1, off_t(st.st_size - 1)) == 1, last != 0x0A { bytes.insert(0x0A, at: 0) }
        }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            let why = written < 0 ? String(cString: strerror(errno)) : "only \(written) of \(bytes.count) bytes written"
            throw UsageError("sweep: cannot append to '\(path)': \(why)")
        }
        guard fsync(fd) == 0 else { throw UsageError("sweep: cannot fsync '\(path)': \(String(cString: strerror(errno)))") }
    }

    /// The complete records of a file, in order; a missing file has none. Lines that are not
    /// whole JSON objects with a "point" (a torn last line) are counted in `skipped`.
    static func read(_ path: String) throws -> (records: [Record], skipped: Int) {
        guard FileManager.default.fileExists(atPath: path) else { return ([], 0) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UsageError("sweep: cannot read '\(path)'")
        }
        var records: [Record] = []
        var skipped = 0
        let text = String(decoding: data, as: UTF8.self)
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            guard let fields = JSONValue.parseObject(line), case .string(let key)? = fields["point"] else {
                skipped += 1
                continue
            }
            records.append(Record(key: key, fields: fields))
        }
        return (records, skipped)
    }

    /// The line for one finished point.
    static func line(point: [(String, String)], results: JSONValue?, seconds: Double, error: String?, version: String) -> String {
        var fields: [(String, JSONValue)] = [
            ("point", .string(SweepGrid.key(point))),
            ("parameters", .object(point.map { ($0.0, typed($0.1)) })),
            ("status", .string(error == nil ? "ok" : "failed")),
        ]
        if let results { fields.append(("results", results)) }
        if let error { fields.append(("error", .string(error))) }
        fields.append(("seconds", .number((seconds * 1e4).rounded() / 1e4)))
        fields.append(("version", .string(version)))
        return JSONValue.object(fields).text
    }

    /// A parameter's value as JSON: a number when it reads as one, else the text.
    static func typed(_ text: String) -> JSONValue {
        if let n = Int(text) { return .integer(n) }
        if let x = Double(text), x.isFinite, text.allSatisfy({ "0123456789+-.eE".contains($0) }) { return .number(x) }
        return .string(text)
    }
}

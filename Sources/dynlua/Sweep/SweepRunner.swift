import DynCore
import Foundation

/// Runs the points of a grid that a results file does not hold yet, `jobs` at a time, each in
/// its own process; appends a line per finished point and shows progress on standard error.
struct SweepRunner {
    let script: String
    let grid: SweepGrid
    let indices: [Int]
    let out: String
    let jobs: Int
    let version: String
    var logs: String? = nil

    /// Returns the number of points that failed in this run.
    func run() throws -> Int {
        let done = Set(try SweepJournal.read(out).records.filter(\.ok).map(\.key))
        let todo = indices.filter { !done.contains(SweepGrid.key(grid.point($0))) }
        let skipped = indices.count - todo.count
        if skipped > 0 { note("\(skipped) of \(indices.count) points already in \(out)") }
        guard !todo.isEmpty else { return 0 }
        try SweepJournal.checkAppendable(out)
        if let logs {
            do { try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true) } catch {
                throw UsageError("sweep: cannot create the log directory '\(logs)': \(error.localizedDescription)")
            }
        }
        let scratch = try makeScratch()
        defer { rmdir(scratch) }

        StopSignals.install()
        var pending = todo[...]
        var running: [pid_t: PointProcess] = [:]
        var finished = 0, failed = 0
        let start = SystemInfo.wallClock()
        while !pending.isEmpty || !running.isEmpty {
            if StopSignals.received != 0 { stop(running, scratch: scratch, recorded: finished) }
            while running.count < jobs, let index = pending.first {
                pending.removeFirst()
                let p = try PointProcess.start(index: index, script: script, point: grid.point(index), scratch: scratch, logs: logs)
                running[p.pid] = p
            }
            var status: Int32 = 0
            let pid = waitpid(-1, &status, 0)
            if pid < 0 { if errno == EINTR { continue }; throw UsageError("sweep: waitpid: \(String(cString: strerror(errno)))") }
            guard let p = running.removeValue(forKey: pid) else { continue }
            let seconds = SystemInfo.wallClock() - p.started
            let (results, error) = p.outcome(status: status)
            let point = grid.point(p.index)
            try SweepJournal.append(SweepJournal.line(point: point, results: results, seconds: seconds, error: error, version: version), to: out)
            finished += 1
            if let error {
                failed += 1
                note("failed: \(SweepGrid.key(point)): \(error.split(separator: "\n").first ?? "")")
            }
            progress(done: finished, failed: failed, remaining: todo.count - finished, elapsed: SystemInfo.wallClock() - start)
        }
        if isatty(STDERR_FILENO) != 0 { fputs("\n", stderr) }
        return failed
    }

    /// Ends the children of an interrupted sweep, unrecorded (the next run starts them again),
    /// and exits with 128 + the signal.
    private func stop(_ running: [pid_t: PointProcess], scratch: String, recorded: Int) -> Never {
        let signal = StopSignals.received
        for pid in running.keys { kill(pid, SIGTERM) }
        for (pid, p) in running {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            unlink(p.resultPath)
            if !p.keepLog { unlink(p.logPath) }
        }
        rmdir(scratch)
        note("stopped by signal \(signal) after recording \(recorded) point\(recorded == 1 ? "" : "s") in \(out); the same command continues")
        exit(128 + signal)
    }

    private func makeScratch() throws -> String {
        var template = Array("\(NSTemporaryDirectory())/dynlua-sweep-XXXXXX".utf8CString)
        guard let dir = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw UsageError("sweep: cannot create a temporary directory: \(String(cString: strerror(errno)))")
        }
        return String(cString: dir)
    }

    private func progress(done: Int, failed: Int, remaining: Int, elapsed: Double) {
        let eta = remaining == 0 ? 0 : elapsed / Double(done) * Double(remaining)
        let line = "sweep: \(done) done, \(failed) failed, \(remaining) remaining, elapsed \(clock(elapsed)), ETA \(clock(eta))"
        // On a terminal the line is redrawn in place; in a log, one line per point.
        fputs(isatty(STDERR_FILENO) != 0 ? "\r\u{1B}[K" + line : line + "\n", stderr)
        fflush(stderr)
    }

    private func note(_ message: String) {
        fputs((isatty(STDERR_FILENO) != 0 ? "\r\u{1B}[K" : "") + "sweep: " + message + "\n", stderr)
    }

    private func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}

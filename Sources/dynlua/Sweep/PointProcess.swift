import Foundation
import DynCore

/// One grid point running as a child process: `dynlua --sweep-result FILE SCRIPT name=value ...`
/// with one BLAS thread, its output (standard output and error together) in a log file that
/// supplies the error message when it fails.
struct PointProcess {
    let index: Int
    let pid: pid_t
    let started: Double
    let resultPath: String
    let logPath: String
    let keepLog: Bool

    /// With `logs`, the output is kept there as `A=1_T=2_seed=3.log`.
    static func start(index: Int, script: String, point: [(String, String)], scratch: String, logs: String?) throws -> PointProcess {
        let resultPath = "\(scratch)/\(index).json"
        let logName = SweepGrid.key(point).map { $0 == " " || $0 == "/" ? "_" : $0 }
        let logPath = logs.map { "\($0)/\(String(logName)).log" } ?? "\(scratch)/\(index).log"
        unlink(resultPath)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let args = ["dynlua", "--sweep-result", resultPath, "--", script] + point.map { "\($0.0)=\($0.1)" }
        let argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = childEnvironment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let started = SystemInfo.wallClock()
        let status = posix_spawn(&pid, "/proc/self/exe", &actions, nil, argv, envp)
        guard status == 0 else { throw UsageError("sweep: cannot start dynlua: \(String(cString: strerror(status)))") }
        return PointProcess(index: index, pid: pid, started: started, resultPath: resultPath, logPath: logPath, keepLog: logs != nil)
    }

    /// Ours, with one BLAS (and OpenMP) thread per point: the points are the parallelism.
    static let childEnvironment: [String] = {
        var env = ProcessInfo.processInfo.environment
        env["OPENBLAS_NUM_THREADS"] = "1"
        env["OMP_NUM_THREADS"] = "1"
        return env.map { "\($0.key)=\($0.value)" }
    }()

    /// What the finished child left: its results, or why there are none.
    func outcome(status: Int32) -> (results: JSONValue?, error: String?) {
        defer { unlink(resultPath); if !keepLog { unlink(logPath) } }
        let signal = status & 0x7F, code = (status >> 8) & 0xFF
        if signal == 0 && code == 0, let data = FileManager.default.contents(atPath: resultPath),
           let fields = JSONValue.parseObject(Substring(String(decoding: data, as: UTF8.self))) {
            return (.object(fields.keys.sorted().map { ($0, fields[$0]!) }), nil)
        }
        let log = FileManager.default.contents(atPath: logPath).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let tail = String(log.trimmingCharacters(in: .whitespacesAndNewlines).suffix(2000))
        let how = signal != 0 ? "killed by signal \(signal)" : "exit status \(code)"
        return (nil, tail.isEmpty ? how : "\(how): \(tail)")
    }
}

import Foundation

/// `dynlua sweep`'s command line: a run (`SCRIPT name=values ... [options]`) or a report
/// (`--report FILE... [--by A,T] [--metric NAME] [--svg PATH]`).
struct SweepOptions {
    var script: String?
    var axes: [String] = []
    var seeds: Int?
    var jobs: Int?
    var shard: (k: Int, n: Int)?
    var out = "sweep.jsonl"
    var logs: String?
    var slurm = false
    var submit = false
    var tasks: Int?
    var report: [String]?
    var by: [String]?
    var metric: String?
    var svg: String?
    var help = false

    static func parse(_ args: [String]) throws -> SweepOptions {
        var o = SweepOptions()
        var i = 0
        func value(_ name: String) throws -> String {
            guard i + 1 < args.count, !args[i + 1].hasPrefix("--") else { throw UsageError("sweep: '\(name)' needs a value") }
            i += 1
            return args[i]
        }
        func count(_ name: String) throws -> Int {
            let text = try value(name)
            guard let n = Int(text), n >= 1 else { throw UsageError("sweep: '\(name)' must be an integer >= 1, got '\(text)'") }
            return n
        }
        while i < args.count {
            let a = args[i]
            switch a {
            case "-h", "--help": o.help = true
            case "--seeds": o.seeds = try count(a)
            case "--jobs", "-j": o.jobs = try count(a)
            case "--shard": o.shard = try shard(value(a))
            case "--out": o.out = try value(a)
            case "--logs": o.logs = try value(a)
            case "--slurm": o.slurm = true
            case "--submit": o.submit = true
            case "--tasks": o.tasks = try count(a)
            case "--by": o.by = try value(a).split(separator: ",").map(String.init)
            case "--metric": o.metric = try value(a)
            case "--svg": o.svg = try value(a)
            case "--report":
                var files: [String] = []
                while i + 1 < args.count, !args[i + 1].hasPrefix("--") { i += 1; files.append(args[i]) }
                guard !files.isEmpty else { throw UsageError("sweep: '--report' needs result files") }
                o.report = files
            default:
                if a.hasPrefix("-") { throw UsageError("sweep: unrecognized option '\(a)'") }
                if o.script == nil && !a.contains("=") { o.script = a } else { o.axes.append(a) }
            }
            i += 1
        }
        if o.help { return o }
        if o.report != nil {
            guard o.script == nil, o.axes.isEmpty else { throw UsageError("sweep: '--report' takes result files and --by, --metric, --svg only") }
        } else {
            guard o.script != nil else { throw UsageError("sweep: no script given") }
            guard o.by == nil, o.metric == nil, o.svg == nil else { throw UsageError("sweep: '--by', '--metric' and '--svg' go with '--report'") }
            if (o.submit || o.tasks != nil) && !o.slurm { throw UsageError("sweep: '--submit' and '--tasks' go with '--slurm'") }
            if o.slurm && o.shard != nil { throw UsageError("sweep: '--slurm' makes the shards itself (no '--shard')") }
        }
        return o
    }

    /// "K/N" with 1 <= K <= N.
    static func shard(_ text: String) throws -> (k: Int, n: Int) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, k >= 1, k <= n else {
            throw UsageError("sweep: bad shard '\(text)' (expected K/N with 1 <= K <= N, e.g. 2/4)")
        }
        return (k, n)
    }

    /// Under a Slurm job array with no --shard: this task's slice, numbered from the array's
    /// first index (arrays may start at 0 or 1).
    static func slurmShard(_ env: [String: String]) throws -> (k: Int, n: Int)? {
        guard let id = env["SLURM_ARRAY_TASK_ID"], let count = env["SLURM_ARRAY_TASK_COUNT"] else { return nil }
        let first = env["SLURM_ARRAY_TASK_MIN"] ?? "1"
        guard let i = Int(id), let n = Int(count), let lo = Int(first), i - lo + 1 >= 1, i - lo + 1 <= n else {
            throw UsageError("sweep: cannot take a shard from SLURM_ARRAY_TASK_ID=\(id), SLURM_ARRAY_TASK_COUNT=\(count), SLURM_ARRAY_TASK_MIN=\(first)")
        }
        return (i - lo + 1, n)
    }

    static let help = """
    usage: dynlua sweep SCRIPT name=v1,v2,... name=a..b ... [--seeds N] [--jobs J] [--shard K/N] [--out FILE]
                        [--logs DIR] [--slurm [--tasks N] [--submit]]
           dynlua sweep --report FILE... [--by A,T] [--metric NAME] [--svg PATH]
    Runs SCRIPT once per point of the grid (each in a fresh dynlua process, its parameters as
    name=value arguments for sys.params); the script's main chunk returns a table of results.
    Each finished point is appended to FILE (default sweep.jsonl) as one JSON line; running the
    same command again skips the points already done there.
      --seeds N    add the parameter seed = 1..N
      --jobs J     points run at once (default: the number of cores)
      --logs DIR   keep each point's output in DIR/POINT.log (default: kept only in a failure's
                   error message)
      --shard K/N  only the K-th of N slices of the grid (under a Slurm array, from
                   SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT)
      --slurm      write a Slurm job-array script for the sweep instead (OUT-STEM.slurm), one shard
                   per array task; --tasks N array tasks (default: points, at most 16);
                   --jobs J CPUs per task (default 1); --submit: also sbatch it
      --report     merge result files; print mean and standard deviation of --metric over the
                   parameters not in --by; --svg draws a heat map (two) or a line (one)
    Details: docs/sweeps.md.
    """
}

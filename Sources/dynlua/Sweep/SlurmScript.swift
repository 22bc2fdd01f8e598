import DynCore
import Foundation

/// `dynlua sweep ... --slurm [--tasks N] [--submit]`: writes a Slurm job-array script that runs
/// the same sweep with one shard per array task (the shard comes from SLURM_ARRAY_TASK_ID),
/// each task appending to its own results file (`OUT-STEM.task-ID.jsonl`: a shared file on a
/// network file system would not keep appends whole). `--submit` hands it to sbatch.
struct SlurmScript {
    let options: SweepOptions
    let grid: SweepGrid

    var stem: String { options.out.hasSuffix(".jsonl") ? String(options.out.dropLast(6)) : options.out }
    var scriptPath: String { stem + ".slurm" }

    func run() throws -> Int32 {
        let tasks = min(options.tasks ?? min(grid.count, 16), grid.count)
        try AtomicFile.write(text(tasks: tasks), to: scriptPath, op: "dynlua sweep --slurm")
        chmod(scriptPath, 0o755)
        Console.out("wrote \(scriptPath): \(grid.count) points in \(tasks) array tasks\n")
        Console.out("results: \(stem).task-*.jsonl; merge with: dynlua sweep --report \(stem).task-*.jsonl\n")
        guard options.submit else {
            Console.out("submit with: sbatch \(scriptPath)\n")
            return 0
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["sbatch", scriptPath]
        do { try p.run() } catch { throw UsageError("sweep: cannot run sbatch: \(error)") }
        p.waitUntilExit()
        return p.terminationStatus == 0 ? 0 : 1
    }

    func text(tasks: Int) -> String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? "dynlua"
        let cwd = FileManager.default.currentDirectoryPath
        let jobs = options.jobs ?? 1
        var command = [exe, "sweep", options.script!] + options.axes
        if let seeds = options.seeds { command += ["--seeds", String(seeds)] }
        let line = command.map(quote).joined(separator: " ")
            + " --jobs \"$SLURM_CPUS_PER_TASK\" --out " + quote(stem) + ".task-\"$SLURM_ARRAY_TASK_ID\".jsonl"
        return """
        #!/bin/bash
        # Written by dynlua sweep --slurm: \(grid.count) points, one shard per array task.
        #SBATCH --job-name=dynlua-sweep
        #SBATCH --array=1-\(tasks)
        #SBATCH --cpus-per-task=\(jobs)
        #SBATCH --output=\(stem).task-%a.log
        cd \(quote(cwd)) || exit 1
        exec \(line)

        """
    }

    func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}

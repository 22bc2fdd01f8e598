import Foundation

/// `dynlua sweep ...`: parses the command line and runs a sweep, writes its Slurm script, or
/// reports on result files. Exit status 0, 1 on bad usage or when points failed.
enum SweepCommand {
    static func run(_ args: [String]) -> Int32 {
        do {
            let o = try SweepOptions.parse(args)
            if o.help { Console.out(SweepOptions.help + "\n"); return 0 }
            if let files = o.report {
                try SweepReport(files: files, by: o.by, metric: o.metric, svg: o.svg).run()
                return 0
            }
            let grid = try SweepGrid.parse(o.axes, seeds: o.seeds)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: o.script!, isDirectory: &isDirectory), !isDirectory.boolValue else {
                throw UsageError("sweep: cannot open script '\(o.script!)'")
            }
            if o.slurm { return try SlurmScript(options: o, grid: grid).run() }
            let shard = try o.shard ?? SweepOptions.slurmShard(ProcessInfo.processInfo.environment)
            let jobs = o.jobs ?? ProcessInfo.processInfo.activeProcessorCount
            let runner = SweepRunner(script: o.script!, grid: grid, indices: grid.indices(shard: shard),
                                     out: o.out, jobs: jobs, version: version, logs: o.logs)
            return try runner.run() == 0 ? 0 : 1
        } catch let e as UsageError {
            Console.error(e.message)
            return 1
        } catch {
            Console.error("sweep: \(error)")
            return 1
        }
    }
}

import DynCore
import Foundation

/// `dynlua sweep --report FILE...`: merges result files (shards, resumed runs), groups the
/// points by the `--by` parameters and prints the mean and standard deviation of one result
/// over the other parameters (the seeds); `--svg` draws a heat map (two parameters) or a line
/// (one).
struct SweepReport {
    let files: [String]
    let by: [String]?
    let metric: String?
    let svg: String?

    struct Group {
        var values: [String]
        var samples: [Double] = []
        var failed = 0
        var mean: Double { samples.isEmpty ? .nan : samples.reduce(0, +) / Double(samples.count) }
        /// The sample standard deviation (n - 1); NaN below two samples.
        var std: Double {
            guard samples.count > 1 else { return .nan }
            let m = mean
            return (samples.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(samples.count - 1)).squareRoot()
        }
    }

    func run() throws {
        let points = try merged()
        guard let first = points.first else { throw UsageError("sweep: no complete results in \(files.joined(separator: ", "))") }
        let names = first.key.split(separator: " ").map { String($0.prefix { $0 != "=" }) }
        // By default: every parameter that takes more than one value, except the seed.
        let varying = Set(names.filter { name in Set(points.map { SweepReport.value(of: name, in: $0.key) }).count > 1 })
        let by = self.by ?? names.filter { $0 != "seed" && varying.contains($0) }
        for name in by where !names.contains(name) {
            throw UsageError("sweep: '--by \(name)': not a parameter of these results (parameters: \(names.joined(separator: ", ")))")
        }
        guard !by.isEmpty else { throw UsageError("sweep: nothing to group by (no parameter but the seed varies): give '--by'") }
        let metric = try chooseMetric(points)
        let groups = group(points, by: by, metric: metric)
        print(table(groups, by: by, metric: metric), terminator: "")
        let over = names.filter { !by.contains($0) && varying.contains($0) }
        if let svg { try figure(groups, by: by, metric: metric, over: over).save(path: svg) }
    }

    /// One record per point: the last successful one, else the last failure.
    func merged() throws -> [SweepJournal.Record] {
        var order: [String] = []
        var best: [String: SweepJournal.Record] = [:]
        for file in files {
            guard FileManager.default.fileExists(atPath: file) else { throw UsageError("sweep: no such results file '\(file)'") }
            let (records, skipped) = try SweepJournal.read(file)
            if skipped > 0 { fputs("sweep: \(file): skipped \(skipped) incomplete line\(skipped == 1 ? "" : "s")\n", stderr) }
            for r in records {
                if best[r.key] == nil { order.append(r.key) }
                if r.ok || best[r.key]?.ok != true { best[r.key] = r }
            }
        }
        return order.map { best[$0]! }
    }

    func chooseMetric(_ points: [SweepJournal.Record]) throws -> String {
        var numeric: [String] = []
        for p in points {
            guard case .object(let fields)? = p.results else { continue }
            for (name, v) in fields where v.double != nil && !numeric.contains(name) { numeric.append(name) }
        }
        if let metric {
            guard numeric.contains(metric) else {
                throw UsageError("sweep: no numeric result '\(metric)' (results: \(numeric.sorted().joined(separator: ", ")))")
            }
            return metric
        }
        guard numeric.count == 1 else {
            throw UsageError(numeric.isEmpty ? "sweep: the results hold no numbers" : "sweep: choose a result with '--metric' (results: \(numeric.sorted().joined(separator: ", ")))")
        }
        return numeric[0]
    }

    func group(_ points: [SweepJournal.Record], by: [String], metric: String) -> [Group] {
        var groups: [[String]: Group] = [:]
        for p in points {
            let values = Dictionary(p.key.split(separator: " ").map { part -> (String, String) in
                let eq = part.firstIndex(of: "=")!
                return (String(part[..<eq]), String(part[part.index(after: eq)...]))
            }, uniquingKeysWith: { a, _ in a })
            let key = by.map { values[$0] ?? "?" }
            var g = groups[key] ?? Group(values: key)
            if p.ok, let x = p.results?[metric]?.double { g.samples.append(x) } else { g.failed += 1 }
            groups[key] = g
        }
        return groups.values.sorted { SweepReport.precedes($0.values, $1.values) }
    }

    static func value(of name: String, in key: String) -> String? {
        key.split(separator: " ").first { $0.hasPrefix(name + "=") }.map { String($0.dropFirst(name.count + 1)) }
    }

    /// Numeric order where both values are numbers, text order otherwise.
    static func precedes(_ a: [String], _ b: [String]) -> Bool {
        for (x, y) in zip(a, b) where x != y {
            if let u = Double(x), let v = Double(y) { return u < v }
            return x < y
        }
        return false
    }

    func table(_ groups: [Group], by: [String], metric: String) -> String {
        let header = by + ["n", "failed", "mean \(metric)", "std"]
        let rows = groups.map { g in
            g.values + [String(g.samples.count), String(g.failed), g.samples.isEmpty ? "-" : number(g.mean), g.samples.count < 2 ? "-" : number(g.std)]
        }
        let widths = header.indices.map { c in ([header] + rows).map { $0[c].count }.max()! }
        let line = { (cells: [String]) in
            zip(cells, widths).map { String(repeating: " ", count: $1 - $0.count) + $0 }.joined(separator: "  ") + "\n"
        }
        return line(header) + rows.map(line).joined()
    }

    func number(_ x: Double) -> String { x.isNaN ? "nan" : x.isFinite ? String(format: "%.6g", x) : (x > 0 ? "inf" : "-inf") }

    func figure(_ groups: [Group], by: [String], metric: String, over: [String]) throws -> Figure {
        let fig = try Figure(title: over.isEmpty ? metric : "\(metric): mean over \(over.joined(separator: ", "))")
        let p = fig.panels[0]
        switch by.count {
        case 2:
            let xs = ordered(groups.map { $0.values[0] }), ys = ordered(groups.map { $0.values[1] })
            var cells = [[Double]](repeating: [Double](repeating: .nan, count: xs.count), count: ys.count)
            for g in groups { cells[ys.firstIndex(of: g.values[1])!][xs.firstIndex(of: g.values[0])!] = g.mean }
            p.heatmap = try Heatmap(values: cells, xLabels: xs, yLabels: ys)
            p.xLabel = by[0]
            p.yLabel = by[1]
        case 1:
            // The mean with bars of one standard deviation (none where a group has one sample).
            let numeric = groups.allSatisfy { Double($0.values[0]) != nil }
            let x = groups.enumerated().map { numeric ? Double($0.element.values[0])! : Double($0.offset + 1) }
            let mean = groups.map(\.mean), spread = groups.map { $0.std.isFinite ? $0.std : 0 }
            let bars = LineStyle(label: nil, color: Palette.color(0))
            p.add(.errorBars(x: x, lower: zip(mean, spread).map { $0 - $1 }, upper: zip(mean, spread).map { $0 + $1 }, style: bars))
            p.add(.line(x: x, y: mean, style: LineStyle(label: "mean \(metric) ± std", color: Palette.color(0), marker: .circle)))
            p.xLabel = by[0]
            p.yLabel = metric
        default:
            throw UsageError("sweep: '--svg' draws one or two '--by' parameters, got \(by.count) (\(by.joined(separator: ",")))")
        }
        return fig
    }

    /// Distinct values in numeric (else text) order.
    func ordered(_ values: [String]) -> [String] {
        Array(Set(values)).sorted { SweepReport.precedes([$0], [$1]) }
    }
}

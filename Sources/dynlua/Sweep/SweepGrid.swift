/// The points of a sweep: the cartesian product of its axes, the first axis varying slowest,
/// numbered from 0 in that order. A point's key ("A=10 T=100 seed=1") names it in results
/// files; resuming and merging match points by key.
struct SweepGrid: Equatable {
    struct Axis: Equatable {
        let name: String
        let values: [String]
    }

    let axes: [Axis]

    /// Axes from `name=v1,v2,...` arguments, where an item `a..b` is the integers a to b.
    static func parse(_ arguments: [String], seeds: Int?) throws -> SweepGrid {
        var axes: [Axis] = []
        for a in arguments {
            guard let eq = a.firstIndex(of: "="), eq != a.startIndex else {
                throw UsageError("sweep: '\(a)' is not name=values (e.g. A=10,20 or T=1..4)")
            }
            let name = String(a[..<eq])
            guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw UsageError("sweep: bad parameter name '\(name)' in '\(a)' (letters, digits and _)")
            }
            guard !axes.contains(where: { $0.name == name }) else { throw UsageError("sweep: parameter '\(name)' given twice") }
            var values: [String] = []
            for item in a[a.index(after: eq)...].split(separator: ",", omittingEmptySubsequences: false) {
                values += try expand(item, in: a)
            }
            guard Set(values).count == values.count else { throw UsageError("sweep: repeated value in '\(a)'") }
            axes.append(Axis(name: name, values: values))
        }
        if let seeds {
            guard seeds >= 1 else { throw UsageError("sweep: '--seeds' must be >= 1, got \(seeds)") }
            guard !axes.contains(where: { $0.name == "seed" }) else { throw UsageError("sweep: '--seeds' with a 'seed=' axis") }
            axes.append(Axis(name: "seed", values: (1...seeds).map(String.init)))
        }
        guard !axes.isEmpty else { throw UsageError("sweep: no parameters to sweep (e.g. A=10,20 T=1..4)") }
        let count = axes.reduce(1.0) { $0 * Double($1.values.count) }
        guard count <= 10_000_000 else { throw UsageError("sweep: the grid has \(Int(count)) points; at most 10000000") }
        return SweepGrid(axes: axes)
    }

    private static func expand(_ item: Substring, in argument: String) throws -> [String] {
        guard !item.isEmpty else { throw UsageError("sweep: empty value in '\(argument)'") }
        guard let dots = item.range(of: ".."), !item.hasPrefix("..") else { return [String(item)] }
        let (a, b) = (Int(item[..<dots.lowerBound]), Int(item[dots.upperBound...]))
        guard let a, let b, a <= b else {
            throw UsageError("sweep: bad range '\(item)' in '\(argument)' (integers a..b with a <= b)")
        }
        guard b - a < 10_000_000 else { throw UsageError("sweep: range '\(item)' is too long") }
        return (a...b).map(String.init)
    }

    var count: Int { axes.reduce(1) { $0 * $1.values.count } }

    /// The values of point `index`, one per axis.
    func point(_ index: Int) -> [(String, String)] {
        var rest = index
        var values: [(String, String)] = []
        for axis in axes.reversed() {
            values.append((axis.name, axis.values[rest % axis.values.count]))
            rest /= axis.values.count
        }
        return values.reversed()
    }

    static func key(_ point: [(String, String)]) -> String {
        point.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
    }

    /// Shard `k` of `n` (1-based): the points whose index is k-1 modulo n.
    func indices(shard: (k: Int, n: Int)?) -> [Int] {
        guard let (k, n) = shard else { return Array(0..<count) }
        return Array(stride(from: k - 1, to: count, by: n))
    }
}

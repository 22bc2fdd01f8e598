import CLua
import DynCore

/// `fig:heatmap(i, values [, {x =, y =, xlabel =, ylabel =, title =, range =, annotate =}])`:
/// panel i becomes a heat map of a 2-D tensor or nested table (values[r][c] at the r-th y
/// label, counted from the bottom, and the c-th x label).
enum PlotHeatmap {
    static let function = "heatmap"

    static let body: LuaBody = { guarded($0) { lua in
        let fig = try PlotModule.checkFigure(lua)
        let p = try PlotModule.checkPanel(lua, fig)
        let t = try lua.checkTensorLike(3)
        guard t.rank == 2, t.count > 0 else {
            throw LuaFailure.argument(3, "values must be a non-empty 2-D tensor or table of rows, got shape \(shapeText(t.shape))")
        }
        let o = try Options(lua, 4, function: function, allowed: ["x", "y", "xlabel", "ylabel", "title", "range", "annotate"])
        let flat = t.toArray(), columns = t.shape[1]
        let rows = (0..<t.shape[0]).map { Array(flat[$0 * columns..<($0 + 1) * columns]) }
        let h = try Heatmap(values: rows, xLabels: try labels(lua, o, "x"), yLabels: try labels(lua, o, "y"),
                            range: try PlotModule.range(lua, o, "range", function),
                            annotate: o.has("annotate") ? try o.boolean("annotate", default: true) : nil)
        if let s = try o.string("title") { p.title = s }
        if let s = try o.string("xlabel") { p.xLabel = s }
        if let s = try o.string("ylabel") { p.yLabel = s }
        p.heatmap = h
        lua.pushValue(1); return 1
    } }

    /// A list of labels (strings or numbers) for option `name`, nil when absent.
    static func labels(_ lua: Lua, _ o: Options, _ name: String) throws -> [String]? {
        o.push(name)
        defer { lua.pop() }
        if lua.isNoneOrNil(-1) { return nil }
        guard lua.isTable(-1) else { throw LuaFailure.message("\(function): option '\(name)' must be a list of labels, got \(lua.typeName(-1))") }
        guard lua.rawLength(-1) <= 1_000_000 else { throw LuaFailure.message("\(function): option '\(name)' has too many labels") }
        var list: [String] = []
        try lua.forEachArrayItem(-1) { k in
            if let s = lua.string(-1) { list.append(s) }
            else if let n = lua.integer(-1) { list.append(String(n)) }
            else if let x = lua.number(-1) { list.append(String(format: "%g", x)) }
            else { throw LuaFailure.message("\(function): option '\(name)'[\(k)] must be a string or number, got \(lua.typeName(-1))") }
        }
        return list
    }
}

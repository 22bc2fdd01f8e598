import CLua
import DynCore

/// The `plot` table: figures drawn natively to SVG. A figure userdata has methods that add to
/// its panels (numbered from 1, row by row) and `fig:save(path)`.
enum PlotModule {
    static let metatable = "dynlua.figure"

    static func checkFigure(_ lua: Lua) throws -> Figure {
        switch Userdata.get(lua, 1, metatable: metatable, as: Figure.self) {
        case .object(let f): return f
        case .closed: throw LuaFailure.argument(1, "figure has been closed")
        case .otherType: throw lua.typeError(1, expected: "figure")
        }
    }

    /// The panel named by argument 2 (1-based).
    static func checkPanel(_ lua: Lua, _ fig: Figure) throws -> Panel {
        let i = try lua.checkInteger(2)
        guard i >= 1 && i <= fig.panels.count else {
            throw LuaFailure.argument(2, "panel \(i) out of range (the figure has \(fig.panels.count) panel\(fig.panels.count == 1 ? "" : "s"))")
        }
        return fig.panels[i - 1]
    }

    /// A pair {lo, hi} option.
    static func range(_ lua: Lua, _ o: Options, _ name: String, _ function: String) throws -> (Double, Double)? {
        o.push(name)
        defer { lua.pop() }
        if lua.isNoneOrNil(-1) { return nil }
        guard lua.isTable(-1), lua.rawLength(-1) == 2,
              lua.getIndex(-1, 1) == LUA_TNUMBER, lua.getIndex(-2, 2) == LUA_TNUMBER else {
            lua.setTop(lua.top)
            throw LuaFailure.message("\(function): option '\(name)' must be a pair of numbers {lo, hi}")
        }
        let r = (lua.number(-2)!, lua.number(-1)!)
        lua.pop(2)
        guard r.0 < r.1 else { throw LuaFailure.message("\(function): option '\(name)' must have lo < hi, got {\(r.0), \(r.1)}") }
        return r
    }

    /// A line style from options; `index` picks the default palette colour.
    static func style(_ lua: Lua, _ o: Options, index: Int, function: String) throws -> LineStyle {
        var color = Palette.color(index)
        o.push("color")
        if let n = lua.integer(-1) { color = Palette.color(n - 1) }
        else if let s = lua.string(-1) {
            guard s.allSatisfy({ $0.isLetter || $0.isNumber || "#(),. %".contains($0) }) else {
                lua.pop()
                throw LuaFailure.message("\(function): color '\(s)' is not a colour name, #rrggbb or palette number")
            }
            color = s
        } else if !lua.isNoneOrNil(-1) {
            let t = lua.typeName(-1)
            lua.pop()
            throw LuaFailure.message("\(function): option 'color' must be a string or a palette number, got \(t)")
        }
        lua.pop()
        let width = try o.number("width", default: 1.5)
        guard width > 0 && width < 50 else { throw LuaFailure.message("\(function): width must be in (0, 50), got \(width)") }
        return LineStyle(label: try o.string("label"), color: color, dash: try o.boolean("dash", default: false), width: width)
    }

    static let styleOptions = ["label", "color", "dash", "width"]
    /// Options of fig:line and fig:errorbar: a style plus markers, error bars and whether the line is drawn.
    static let seriesOptions = styleOptions + ["marker", "marker_size", "yerr", "line"]

    /// The `marker` option ("o", "s", "^", "x", "+"); nil when absent.
    static func marker(_ o: Options, function: String) throws -> Marker? {
        guard let name = try o.string("marker") else { return nil }
        guard let m = Marker(rawValue: name) else {
            throw LuaFailure.message("\(function): marker '\(name)' is not one of \(Marker.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))")
        }
        return m
    }

    /// A size in pixels: positive and below 50.
    static func size(_ o: Options, _ name: String, default d: Double, function: String) throws -> Double {
        let v = try o.number(name, default: d)
        guard v > 0 && v < 50 else { throw LuaFailure.message("\(function): \(name) must be in (0, 50), got \(v)") }
        return v
    }

    /// Half-widths of error bars, one per point, finite and >= 0.
    static func errors(_ lua: Lua, at index: Int32, count: Int, what: String, function: String) throws -> [Double] {
        let err: [Double]
        do { err = try lua.checkNumberList(index, what: what) } catch LuaFailure.argument(_, let m) {
            throw LuaFailure.message("\(function): \(m)")
        }
        guard err.count == count else { throw LuaFailure.message("\(function): \(what) has \(err.count) values for \(count) points") }
        if let k = err.firstIndex(where: { !($0 >= 0 && $0.isFinite) }) {
            throw LuaFailure.message("\(function): \(what)[\(k + 1)] is \(err[k]); error bars must be finite and >= 0")
        }
        return err
    }

    /// fig:line and fig:errorbar: a series with optional markers and error bars (`err` given by
    /// errorbar's 4th argument, or line's `yerr` option). Adds the bars first, so the line and
    /// markers are drawn over them.
    static func addSeries(_ lua: Lua, function: String, errorArgument: Bool) throws -> Int32 {
        let fig = try checkFigure(lua)
        let p = try checkPanel(lua, fig)
        let x = try lua.checkNumberList(3, what: "x"), y = try lua.checkNumberList(4, what: "y")
        try Figure.checkSeries(x, y, function)
        let optionsIndex: Int32 = errorArgument ? 6 : 5
        let o = try Options(lua, optionsIndex, function: function, allowed: errorArgument ? seriesOptions.filter { $0 != "yerr" } : seriesOptions)
        var s = try style(lua, o, index: p.lineCount, function: function)
        s.marker = try marker(o, function: function) ?? (errorArgument ? .circle : nil)
        s.markerSize = try size(o, "marker_size", default: 3.5, function: function)
        s.showLine = try o.boolean("line", default: true)
        var err: [Double]?
        if errorArgument {
            err = try errors(lua, at: 5, count: x.count, what: "err", function: function)
        } else if o.has("yerr") {
            o.push("yerr")
            defer { lua.pop() }
            err = try errors(lua, at: lua.absolute(-1), count: x.count, what: "yerr", function: function)
        }
        if let err {
            p.add(.errorBars(x: x, lower: zip(y, err).map { $0 - $1 }, upper: zip(y, err).map { $0 + $1 }, style: s))
        }
        p.add(.line(x: x, y: y, style: s))
        lua.pushValue(1)
        return 1
    }

    static let methods: [(String, LuaBody)] = [
        ("panel", { guarded($0) { lua in
            let fig = try checkFigure(lua)
            let p = try checkPanel(lua, fig)
            let f = "panel"
            let o = try Options(lua, 3, function: f, allowed: ["title", "xlabel", "ylabel", "xscale", "yscale", "xlim", "ylim", "legend"])
            if let s = try o.string("title") { p.title = s }
            if let s = try o.string("xlabel") { p.xLabel = s }
            if let s = try o.string("ylabel") { p.yLabel = s }
            for (name, apply) in [("xscale", { (s: AxisScale) in p.xScale = s }), ("yscale", { (s: AxisScale) in p.yScale = s })] {
                if let s = try o.string(name) {
                    guard let scale = AxisScale.parse(s) else {
                        throw LuaFailure.message("\(f): \(name) '\(s)' is not one of linear, log, symlog")
                    }
                    apply(scale)
                }
            }
            if let r = try range(lua, o, "xlim", f) { p.xLimits = r }
            if let r = try range(lua, o, "ylim", f) { p.yLimits = r }
            p.legend = try o.boolean("legend", default: p.legend)
            lua.pushValue(1); return 1
        } }),
        ("line", { guarded($0) { lua in try addSeries(lua, function: "line", errorArgument: false) } }),
        ("errorbar", { guarded($0) { lua in try addSeries(lua, function: "errorbar", errorArgument: true) } }),
        ("hline", { guarded($0) { lua in
            let fig = try checkFigure(lua)
            let p = try checkPanel(lua, fig)
            let v = try lua.checkNumber(3)
            let o = try Options(lua, 4, function: "hline", allowed: styleOptions)
            var s = try style(lua, o, index: 7, function: "hline")
            if !o.has("dash") { s.dash = true }
            p.add(.horizontal(value: v, style: s))
            lua.pushValue(1); return 1
        } }),
        ("vline", { guarded($0) { lua in
            let fig = try checkFigure(lua)
            let p = try checkPanel(lua, fig)
            let v = try lua.checkNumber(3)
            let o = try Options(lua, 4, function: "vline", allowed: styleOptions)
            var s = try style(lua, o, index: 7, function: "vline")
            if !o.has("dash") { s.dash = true }
            p.add(.vertical(value: v, style: s))
            lua.pushValue(1); return 1
        } }),
        ("scatter", { guarded($0) { lua in
            let fig = try checkFigure(lua)
            let p = try checkPanel(lua, fig)
            let pts = try lua.checkTensor(3)
            guard pts.rank == 2, pts.shape[1] == 2 else {
                throw LuaFailure.argument(3, "points must be an N x 2 tensor, got shape \(shapeText(pts.shape))")
            }
            let n = pts.shape[0]
            let labels = lua.isNoneOrNil(4) ? [Double](repeating: 1, count: n) : try lua.checkNumberList(4, what: "labels")
            guard labels.count == n else { throw LuaFailure.argument(4, "\(labels.count) labels for \(n) points") }
            let classes = try labels.enumerated().map { k, v -> Int in
                guard v >= 1, v == v.rounded(), v < 1e6 else { throw LuaFailure.argument(4, "row \(k + 1): label \(v) is not a class number 1, 2, ...") }
                return Int(v)
            }
            let o = try Options(lua, 5, function: "scatter", allowed: ["size", "marker"])
            let size = try size(o, "size", default: 3, function: "scatter")
            let xs = try pts.select(1, 0).toArray(), ys = try pts.select(1, 1).toArray()
            p.add(.scatter(x: xs, y: ys, classes: classes, size: size, marker: try marker(o, function: "scatter") ?? .circle))
            lua.pushValue(1); return 1
        } }),
        ("regions", { guarded($0) { lua in
            let fig = try checkFigure(lua)
            let p = try checkPanel(lua, fig)
            let model = try lua.checkModule(3)
            let o = try Options(lua, 4, function: "regions", allowed: ["x", "y", "resolution"])
            guard let xr = try range(lua, o, "x", "regions"), let yr = try range(lua, o, "y", "regions") else {
                throw LuaFailure.message("regions: options 'x' and 'y' ({lo, hi} ranges) are required")
            }
            let grid = try DecisionGrid.classes(of: model, x: xr, y: yr, resolution: try o.integer("resolution", default: 120))
            p.add(.regions(classes: grid, x: xr, y: yr))
            lua.pushValue(1); return 1
        } }),
        ("heatmap", PlotHeatmap.body),
        ("save", { guarded($0) { lua in
            try checkFigure(lua).save(path: try lua.checkString(2))
            lua.pushValue(1); return 1
        } }),
        ("svg", { guarded($0) { lua in lua.push(try checkFigure(lua).svg()); return 1 } }),
    ]

    static let metamethods: [(String, LuaBody)] = [
        ("__gc", { guarded($0) { lua in Userdata.release(lua, 1, metatable: metatable, as: Figure.self); return 0 } }),
        ("__close", { guarded($0) { lua in Userdata.release(lua, 1, metatable: metatable, as: Figure.self); return 0 } }),
        ("__tostring", { guarded($0) { lua in
            if case .object(let f) = Userdata.get(lua, 1, metatable: metatable, as: Figure.self) {
                lua.push("figure (\(f.rows) x \(f.columns) panels, \(Int(f.width)) x \(Int(f.height)) px)")
            } else { lua.push("figure (closed)") }
            return 1
        } }),
    ]

    static let functions: [(String, LuaBody)] = [
        ("figure", { guarded($0) { lua in
            let o = try Options(lua, 1, function: "plot.figure", allowed: ["rows", "cols", "width", "height", "title", "sharex"])
            let rows = try o.integer("rows", default: 1)
            let fig = try Figure(rows: rows, columns: try o.integer("cols", default: 1),
                                 width: try o.number("width"), height: try o.number("height"),
                                 title: try o.string("title"), sharedX: try o.boolean("sharex", default: rows > 1))
            Userdata.push(lua, fig, metatable: metatable)
            return 1
        } }),
    ]

    static func register(_ lua: Lua) {
        lua.registerMetatable(metatable, metamethods: metamethods, methods: methods)
        lua.newTable()
        lua.setFunctions(-1, functions)
    }
}

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
        ("line", { guarded($0) { lua in
            let fig = try checkFigure(lua)
            let p = try checkPanel(lua, fig)
            let x = try lua.checkNumberList(3, what: "x"), y = try lua.checkNumberList(4, what: "y")
            try Figure.checkSeries(x, y, "line")
            let o = try Options(lua, 5, function: "line", allowed: styleOptions)
            p.add(.line(x: x, y: y, style: try style(lua, o, index: p.lineCount, function: "line")))
            lua.pushValue(1); return 1
        } }),
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
            let o = try Options(lua, 5, function: "scatter", allowed: ["size"])
            let size = try o.number("size", default: 3)
            let xs = try pts.select(1, 0).toArray(), ys = try pts.select(1, 1).toArray()
            p.add(.scatter(x: xs, y: ys, classes: classes, size: size))
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

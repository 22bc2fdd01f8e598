-- The plot module from Lua: a figure's SVG holds what was drawn; misuse gives clear errors;
-- save writes a complete file.
local check = require "check"

local fig = plot.figure{ rows = 2, title = "test" }
fig:line(1, { 1, 2, 3 }, tensor.new({ 3, 1, 2 }), { label = "a" })
   :line(1, { 1, 2, 3 }, { 1, 1, 1 }, { label = "b", dash = true, color = "#ff0000" })
   :hline(2, 0.5, { label = "2/η" })
   :panel(2, { yscale = "log", ylabel = "λ", xlabel = "step" })
local svg = fig:svg()
local _, paths = svg:gsub("<path ", "")
check.eq(paths, 2, "one path per line")
assert(svg:find("stroke=\"#ff0000\"", 1, true), "custom colour")
assert(svg:find("2/η", 1, true), "legend label")

local X = tensor.new({ { 0, 0 }, { 1, 1 }, { -1, 0.5 } })
local f2 = plot.figure{}
f2:regions(1, nn.Sequential(nn.Linear(2, 3)), { x = { -2, 2 }, y = { -2, 2 }, resolution = 10 })
f2:scatter(1, X, { 1, 2, 3 })
local _, circles = f2:svg():gsub("<circle ", "")
check.eq(circles, 3 + 3, "points and legend dots")

local path = os.tmpname()
f2:save(path)
local file = assert(io.open(path))
local text = file:read("a"); file:close(); os.remove(path)
assert(text:find("</svg>%s*$"), "a complete SVG file")

check.raises("x has 3 points, y has 2", fig.line, fig, 1, { 1, 2, 3 }, { 1, 2 })
check.raises("panel 3 out of range", fig.line, fig, 3, { 1 }, { 1 })
check.raises("unknown option 'colour'", fig.line, fig, 1, { 1 }, { 1 }, { colour = "red" })
check.raises("yscale 'loog' is not one of", fig.panel, fig, 1, { yscale = "loog" })
check.raises("points must be an N x 2 tensor", f2.scatter, f2, 1, tensor.zeros(3, 3))
check.raises("row 2: label 0", f2.scatter, f2, 1, X, { 1, 0, 1 })
check.raises("cannot write", fig.save, fig, "/nonexistent-dir/x.svg")

-- Markers, error bars (fig:errorbar and line's yerr), and their errors.
local e = plot.figure{}
e:errorbar(1, { 1, 2, 3 }, { 1, 2, 3 }, { 0.1, 0.2, 0.3 }, { label = "mean ± sd", color = "#123456" })
local esvg = e:svg()
local _, bars = esvg:gsub("<line [^>]*stroke=\"#123456\"", "")
check.eq(bars, 3 * 3 + 1, "a bar and two caps per point, plus the legend's line")
local _, dots = esvg:gsub("<circle [^>]*fill=\"#123456\"", "")
check.eq(dots, 3 + 1, "errorbar marks its points with circles by default (and in the legend)")
local l = plot.figure{}
l:line(1, { 1, 2 }, { 1, 2 }, { yerr = tensor.new({ 0.5, 0.5 }), marker = "s", color = "#654321", line = false })
local lsvg = l:svg()
local _, squares = lsvg:gsub("<rect [^>]*fill=\"#654321\"", "")
check.eq(squares, 2, "squares at the points")
check.eq(select(2, lsvg:gsub("<path ", "")), 0, "line = false draws no line")
local sc = plot.figure{}:scatter(1, X, { 1, 2, 3 }, { marker = "^" }):svg()
check.eq(select(2, sc:gsub("<polygon ", "")), 3 + 3, "scatter triangles, and in the legend")
check.raises("marker 'o.' is not one of \"o\", \"s\", \"^\", \"x\", \"+\"", e.line, e, 1, { 1 }, { 1 }, { marker = "o." })
check.raises("errorbar: err has 2 values for 3 points", e.errorbar, e, 1, { 1, 2, 3 }, { 1, 2, 3 }, { 1, 2 })
check.raises("errorbar: err[2] is -1.0; error bars must be finite and >= 0", e.errorbar, e, 1, { 1, 2 }, { 1, 2 }, { 1, -1 })
check.raises("line: yerr[1] must be a number, got string", e.line, e, 1, { 1 }, { 1 }, { yerr = { "a" } })
check.raises("unknown option 'yerr'", e.errorbar, e, 1, { 1 }, { 1 }, { 1 }, { yerr = { 1 } })
check.raises("marker_size must be in (0, 50)", e.line, e, 1, { 1 }, { 1 }, { marker_size = 0 })

-- Extreme values: no trap converting pixel positions (bounds near ±1e308 overflow the span;
-- points far outside given limits). Long series go through the per-column thinning.
local xs, ys = {}, {}
for i = 1, 5000 do xs[i] = i; ys[i] = i end
xs[1], xs[2] = -1e308, 1e308
local far = plot.figure{}
far:line(1, xs, ys, { marker = "o" }):errorbar(1, { 1, 1e300 }, { 1, 2 }, { 1e308, 0 })
assert(far:svg():find("</svg>", 1, true))
local limited = plot.figure{}
limited:line(1, xs, ys):panel(1, { xlim = { 0, 1 }, ylim = { 0, 1 } })
assert(limited:svg():find("</svg>", 1, true))

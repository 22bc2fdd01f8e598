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

-- fig:heatmap: cells coloured from the lowest (dark blue) to the highest value (yellow), labels
-- from the options, a grey cell for NaN, errors naming the bad option or shape.
local check = require("check")

local fig = plot.figure()
check.eq(fig:heatmap(1, { { 1, 2, 3 }, { 4, 0 / 0, 6 } }, { x = { 10, 20, "thirty" }, y = { 0.5, 2 },
  xlabel = "A", ylabel = "T", title = "accuracy" }), fig, "returns the figure")
local svg = fig:svg()
local cells = {}
for fill, title in svg:gmatch('fill="(#%x+)"><title>([^<]*)</title>') do cells[title] = fill end
-- Row 1 is the first y label; the titles name x, y and the value.
check.eq(cells["10, 0.5: 1"], "#440154", "lowest value: the scale's first colour")
check.eq(cells["thirty, 2: 6"], "#FDE725", "highest value: the scale's last colour")
check.eq(cells["20, 2: "], "#bbbbbb", "NaN is grey")
-- 3.5 is the middle of [1, 6]: the middle stop.
fig:heatmap(1, tensor.new{ { 1, 3.5, 6 } })
cells = {}
for fill, title in fig:svg():gmatch('fill="(#%x+)"><title>([^<]*)</title>') do cells[title] = fill end
check.eq(cells["2, 1: 3.5"], "#21918C", "middle value, default labels 1..n")
check.eq(svg:find(">accuracy</text>", 1, true) ~= nil, true, "title")
check.eq(svg:find(">thirty</text>", 1, true) ~= nil, true, "x label text")
-- An explicit range moves the colours.
fig:heatmap(1, { { 1 } }, { range = { 0, 2 } })
check.eq(fig:svg():match('fill="(#%x+)"><title>1, 1: 1</title>'), "#21918C", "range")

check.raises("values must be a non-empty 2-D tensor", fig.heatmap, fig, 1, { 1, 2 })
check.raises("panel 2 out of range", fig.heatmap, fig, 2, { { 1 } })
check.raises("3 x labels for 2 columns", fig.heatmap, fig, 1, { { 1, 2 } }, { x = { 1, 2, 3 } })
check.raises("option 'y'[1] must be a string or number, got table", fig.heatmap, fig, 1, { { 1 } }, { y = { {} } })
check.raises("unknown option 'colour'", fig.heatmap, fig, 1, { { 1 } }, { colour = 1 })
check.raises("option 'range' must have lo < hi", fig.heatmap, fig, 1, { { 1 } }, { range = { 2, 1 } })

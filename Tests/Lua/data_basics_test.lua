local check = require "check"

-- spiral: shapes, labels, |x| = r = linspace(0, 1, N) (the points lie on the arms' radii).
local X, y = data.spiral{classes=3, per_class=50, noise=0.3, seed=5}
check.eq(X:size(1), 150, "rows"); check.eq(X:size(2), 2, "columns")
check.eq(y:dim(), 1, "labels 1-D"); check.eq(y:dtype(), "float64", "labels float64")
check.eq(y:min(), 1, "min label"); check.eq(y:max(), 3, "max label")
check.eq(y:eq(2):sum(), 50, "per class")
for j = 0, 2 do
  for i = 1, 50 do
    local row = j * 50 + i
    local r = math.sqrt(X:get(row, 1)^2 + X:get(row, 2)^2)
    check.near(r, (i - 1) / 49, 1e-15, "radius of row " .. row)
  end
end
local X2 = data.spiral{classes=3, per_class=50, noise=0.3, seed=5}
check.eq((X2 - X):abs():max(), 0, "same seed, same data")
check.eq((data.spiral{classes=3, per_class=50, noise=0.3, seed=6} - X):abs():max() > 0, true, "seed matters")
-- Without noise, the first point of class 2 is at radius 0 and the last at angle 2pi/3 + 4pi.
local Xc = data.spiral{noise=0}
check.near(Xc:get(200, 1), math.cos(2 * math.pi / 3 + 4 * math.pi), 1e-15, "last point x")
check.raises("unknown option 'n'", data.spiral, {n=3})
check.raises("data.spiral: per_class must be >= 1, got 0", data.spiral, {per_class=0})

-- sine bands: C classes of per_class points in [-1, 1]^2, labels by band.
local S, sy = data.sine{classes=4, per_class=30, amplitude=0.2, frequency=2, seed=3}
check.eq(S:size(1), 120, "sine rows")
for c = 1, 4 do check.eq(sy:eq(c):sum(), 30, "sine class " .. c) end
check.eq(S:abs():max() <= 1, true, "inside the box")
for row = 1, 120 do
  local x1, x2 = S:get(row, 1), S:get(row, 2)
  local h = x2 + 1 - 0.2 * math.sin(math.pi * 2 * (x1 + 1))
  local c = math.max(1, math.min(4, math.floor(4 * h / 2) + 1))
  check.eq(c, sy[row], "band of row " .. row)
end

-- csv: header detection, label mapping, errors naming the line.
local dir = os.tmpname()
local function write(text) local f = assert(io.open(dir, "w")); f:write(text); f:close(); return dir end
local cx, cy = data.csv(write("x1,x2,label\n1,2,0\n3,4,1\n5,6,0\n"))
check.tensor(cx, {{1, 2}, {3, 4}, {5, 6}}, 0, "csv X")
check.tensor(cy, {1, 2, 1}, 0, "csv 0-based labels shifted")
local nx, ny, names = data.csv(write("cat,1,2\ndog,3,4\ncat,5,6\n"), {label_column=1, header=false})
check.tensor(nx, {{1, 2}, {3, 4}, {5, 6}}, 0, "csv label first")
check.tensor(ny, {1, 2, 1}, 0, "csv names")
check.eq(names[1], "cat"); check.eq(names[2], "dog")
check.raises("line 3: expected 3 fields, got 2", data.csv, write("1,2,1\n3,4,2\n5,6\n"))
check.raises("line 2: field 1 ('abc') is not a finite number", data.csv, write("1,2,1\nabc,4,2\n"), {header=false})
check.raises("option 'header' must be true, false or \"auto\"", data.csv, write("1,2,1\n"), {header="yes"})
check.raises("label_column is 1-based", data.csv, write("1,2,1\n"), {label_column=0})
check.raises("cannot read '/nonexistent/file.csv' (no such file or directory)", data.csv, "/nonexistent/file.csv")
-- classes: the mapping a training file chose, imposed on a test file holding fewer labels.
local _, ty, classes = data.csv(write("1,2,0\n3,4,1\n5,6,2\n"))
check.tensor(ty, {1, 2, 3}, 0, "0-based training labels")
check.eq(table.concat(classes, ","), "0,1,2", "classes of a 0-based file")
local _, sy, alone = data.csv(write("1,2,1\n3,4,2\n"))
check.tensor(sy, {1, 2}, 0, "test file read alone")
check.eq(table.concat(alone, ","), "1,2", "classes of the test file alone")
local _, sy2, same = data.csv(write("1,2,1\n3,4,2\n"), {classes = classes})
check.tensor(sy2, {2, 3}, 0, "test file with the training classes")
check.eq(table.concat(same, ","), "0,1,2", "imposed classes returned")
local _, ny2 = data.csv(write("dog,1,2\nfox,3,4\n"), {label_column = 1, classes = {"cat", "dog", "fox"}})
check.tensor(ny2, {2, 3}, 0, "names through imposed classes")
check.tensor(select(2, data.csv(write("1,1\n2,0\n"), {classes = {0, 1}})), {2, 1}, 0, "numeric classes given as numbers")
check.raises("line 2: row 2: label 'emu' is not one of the classes (cat, dog)", data.csv,
             write("1,2,cat\n3,4,emu\n"), {classes = {"cat", "dog"}})
check.raises("classes[2] must be a string or a number, got table", data.csv, write("1,1\n"), {classes = {"a", {}}})
check.raises("option 'classes' needs labels", data.csv, write("1,1\n"), {classes = {"a"}, label_column = false})
-- label_column = false: every column is a feature, X alone is returned.
local results = table.pack(data.csv(write("a,b,c\n1,2,3\n4,5,6\n"), {label_column = false}))
check.eq(results.n, 1, "results without labels")
check.tensor(results[1], {{1, 2, 3}, {4, 5, 6}}, 0, "X without labels")
check.raises("option 'label_column' must be a column number or false, got true", data.csv, write("1,1\n"), {label_column = true})
os.remove(dir)

-- digits: 1797 rows, labels 1..10 (counts from numpy's bincount of the file), pixels 0..16.
local D, dy = data.digits()
check.eq(D:size(1), 1797, "digits rows"); check.eq(D:size(2), 64, "digits pixels")
local counts = {178, 182, 177, 183, 181, 182, 181, 179, 174, 180}
for c = 1, 10 do check.eq(dy:eq(c):sum(), counts[c], "digit class " .. c) end
check.eq(D:min(), 0); check.eq(D:max(), 16)

-- split: every row exactly once, labels travel with rows.
local ids = tensor.arange(1, 21):view(20, 1)
local Xt, yt, Xv, yv = data.split(ids, tensor.arange(1, 21) * 10, {fraction=0.25, seed=1})
check.eq(Xt:size(1), 15, "train rows"); check.eq(Xv:size(1), 5, "validation rows")
local seen = {}
for _, part in ipairs({{Xt, yt}, {Xv, yv}}) do
  for i = 1, part[1]:size(1) do
    local id = part[1]:get(i, 1)
    check.eq(seen[id], nil, "row " .. id .. " seen once")
    seen[id] = true
    check.eq(part[2][i], id * 10, "label of row " .. id)
  end
end
for id = 1, 20 do check.eq(seen[id], true, "row " .. id .. " present") end
check.raises("fraction must be a number strictly between 0 and 1", data.split, ids, tensor.arange(1, 21), {fraction=0})

-- batches: every row exactly once, last batch smaller.
local sizes, rows = {}, {}
for xb, yb in data.batches(ids, tensor.arange(1, 21), {batch_size=8, seed=3}) do
  sizes[#sizes + 1] = xb:size(1)
  for i = 1, xb:size(1) do
    check.eq(yb[i], xb:get(i, 1), "batch label")
    rows[#rows + 1] = xb:get(i, 1)
  end
end
check.eq(table.concat(sizes, ","), "8,8,4", "batch sizes")
table.sort(rows)
for i = 1, 20 do check.eq(rows[i], i, "batch row " .. i) end
local order = {}
for xb in data.batches(ids, tensor.arange(1, 21), {batch_size=20, shuffle=false}) do order = xb:view(20):totable() end
check.eq(table.concat(order, ","), table.concat(tensor.arange(1, 21):totable(), ","), "no shuffle keeps order")
check.raises("option 'batch_size' is required", data.batches, ids, tensor.arange(1, 21), {})
check.raises("y must be 1-D with one label per row of X (20)", data.batches, ids, tensor.arange(1, 5), {batch_size=2})

-- standardize: numpy reference (X.mean(0), X.std(0)); constant column only centred.
local A = tensor.new({{1, 2, 5}, {3, 2, 7}, {5, 2, 0}, {7, 2, 4}})
local As, mean, std = data.standardize(A)
check.tensor(mean, {4, 2, 4}, 0, "mean")
check.tensor(std, {2.23606797749979, 1, 2.5495097567963922}, 1e-15, "std")
check.tensor(As, {{-1.3416407864998738, 0, 0.3922322702763681}, {-0.4472135954999579, 0, 1.1766968108291043},
  {0.4472135954999579, 0, -1.5689290811054724}, {1.3416407864998738, 0, 0}}, 1e-15, "standardized")
local Bs = data.standardize(tensor.new({{4, 2, 4}}), {mean=mean, std={2, 1, 0.5}})
check.tensor(Bs, {{0, 0, 0}}, 0, "reuse statistics")
check.raises("give both mean and std, or neither", data.standardize, A, {mean=mean})
check.raises("std[3] must be a finite number > 0", data.standardize, A, {mean=mean, std={1, 1, 0}})

local check = require "check"

-- Independent references: plain Lua loops over totable().
local function lua_std(list)
  local s = 0
  for _, v in ipairs(list) do s = s + v end
  local m = s / #list
  local q = 0
  for _, v in ipairs(list) do q = q + (v - m)^2 end
  return math.sqrt(q / #list)
end

-- std: population (ddof = 0), as numpy.
check.near(tensor.new{1, 2, 3, 4}:std(), math.sqrt(1.25), 1e-15, "std of 1..4")
check.eq(tensor.new{7}:std(), 0, "std of one value")
check.eq(tensor.zeros(0):std() ~= tensor.zeros(0):std(), true, "std of nothing is NaN")
local m = tensor.new{{1, 2}, {3, 5}}
check.tensor(m:std(1), {1, 1.5}, 0, "std down columns")
check.tensor(m:std(2), {0.5, 1}, 0, "std along rows")
check.tensor(m:std(-1), {0.5, 1}, 0, "std on the last dimension")
tensor.seed(3)
local r = tensor.randn(5, 7)
local rows = r:totable()
local by_row = r:std(2)
for i = 1, 5 do check.near(by_row[i], lua_std(rows[i]), 1e-14, "std of row " .. i) end
local flat = {}
for i = 1, 5 do for j = 1, 7 do flat[#flat + 1] = rows[i][j] end end
check.near(r:std(), lua_std(flat), 1e-14, "std of all")
check.near(r:t():std(1)[3], lua_std(rows[3]), 1e-14, "std of a transposed view")
check.eq(r:to("float32"):std(1):dtype(), "float32", "std keeps the dtype")

-- masked and t[mask]: rows (or elements) where the mask is 1, in order.
local X = tensor.new{{1, 2}, {3, 4}, {5, 6}, {7, 8}}
local y = tensor.new{1, 2, 1, 2}
check.tensor(X:masked(y:eq(1)), {{1, 2}, {5, 6}}, 0, "rows of class 1")
check.tensor(X[y:eq(2)], {{3, 4}, {7, 8}}, 0, "X[mask]")
check.tensor(X:masked({0, 0, 0, 1}), {{7, 8}}, 0, "a table mask")
check.tensor(X:masked(X:gt(4)), {5, 6, 7, 8}, 0, "an element mask gives a 1-D tensor")
check.eq(X:masked(tensor.zeros(4)):size(1), 0, "no ones: 0 rows")
check.eq(X:masked(tensor.zeros(4)):size(2), 2, "no ones: the row width stays")
check.tensor(X:t():masked(tensor.new{1, 0}), {{1, 3, 5, 7}}, 0, "mask on a non-contiguous view")
check.raises("masked: mask element 2 (row-major) is 2, expected 0 or 1", X.masked, X, {1, 2, 0, 0})
check.raises("mask of shape (3) does not match the leading dimensions of (4x2)", X.masked, X, {1, 0, 1})
check.raises("mask of shape (2x4) does not match", function() return X[tensor.ones(2, 4)] end)

-- Indexing errors: never a silent nil.
check.raises("tensor: no method or field 'x'", function() return X.x end)
check.raises("tensor: no method or field 'x'", function() return X["x"] end)
check.raises("cannot index with a table (t[i] takes an integer i, t[mask] a 0/1 tensor; rows by position: t:index(1, {...}))",
  function() return X[{}] end)
check.raises("cannot index with a boolean", function() return X[true] end)
check.raises("cannot index with a nil", function() return X[nil] end)
check.tensor(X:index(1, {4, 1, 4}), {{7, 8}, {1, 2}, {7, 8}}, 0, "index with a table")
check.tensor(X:index(1, tensor.new{2}), {{3, 4}}, 0, "index with a tensor")

-- where: broadcasting mask, branches of tensors or numbers.
local mask = tensor.new{{1}, {0}, {1}}           -- (3x1)
local a = tensor.new{10, 20}                      -- (2)
local w = tensor.where(mask, a, -1)
check.tensor(w, {{10, 20}, {-1, -1}, {10, 20}}, 0, "where broadcasts")
check.tensor(tensor.where({1, 0, 1}, 5, tensor.new{1, 2, 3}), {5, 2, 5}, 0, "number and tensor branches")
check.eq(tensor.where({1, 0}, tensor.ones(2, "float32"), 0):dtype(), "float32", "a number follows the tensor's dtype")
check.eq(tensor.where({1, 0}, tensor.ones(2, "float32"), tensor.ones(2)):dtype(), "float64", "float64 wins")
local p, q = tensor.randn(4, 3), tensor.randn(4, 3)
local pq = tensor.where(p:gt(q), p, q)
local pt, qt, pqt = p:totable(), q:totable(), pq:totable()
for i = 1, 4 do for j = 1, 3 do check.eq(pqt[i][j], math.max(pt[i][j], qt[i][j]), "where as max " .. i .. "," .. j) end end
check.raises("where: shapes (2) (mask), (3) and (3) cannot be broadcast together", tensor.where, {1, 0}, tensor.ones(3), tensor.ones(3))
check.raises("where: mask element 1 (row-major) is 0.5, expected 0 or 1", tensor.where, {0.5}, 1, 2)
check.raises("bad argument #2 to 'tensor.where' (tensor or number expected, got string)", tensor.where, {1}, "a", 2)

-- stack: a new dimension.
local s1, s2 = tensor.new{1, 2, 3}, tensor.new{4, 5, 6}
check.tensor(tensor.stack{s1, s2}, {{1, 2, 3}, {4, 5, 6}}, 0, "stack on a new first dimension")
check.tensor(tensor.stack({s1, s2}, 2), {{1, 4}, {2, 5}, {3, 6}}, 0, "stack on a new last dimension")
check.tensor(tensor.stack({s1, s2}, -1), {{1, 4}, {2, 5}, {3, 6}}, 0, "-1 is the new last dimension")
check.eq(tostring(tensor.stack({m, m, m}, 2):shape()), "(2x3x2)", "stack of matrices")
check.tensor(tensor.stack({m, m:t()}, 3):select(3, 2), m:t(), 0, "stack keeps the parts")
check.raises("stack: tensor 2 has shape (2), expected (3) like tensor 1", tensor.stack, {s1, tensor.ones(2)})
check.raises("empty list of tensors", tensor.stack, {})
check.raises("dimension 3 out of range", tensor.stack, {s1}, 3)

-- unique: sorted, NaNs as one at the end.
check.tensor(tensor.new{3, 1, 2, 3, 1, -0.5}:unique(), {-0.5, 1, 2, 3}, 0, "unique sorted")
local u = tensor.new{0 / 0, 2, 0 / 0, 1}:unique()
check.eq(u:numel(), 3, "NaNs count once")
check.eq(u[3] ~= u[3], true, "NaN last")
check.eq(tensor.new{{2, 2}, {1, 2}}:unique():dim(), 1, "unique of a matrix is 1-D")
check.eq(tensor.zeros(0):unique():numel(), 0, "unique of nothing")

-- bincount: counts of 1-based labels.
check.tensor(tensor.new{1, 3, 3}:bincount(), {1, 0, 2}, 0, "bincount")
check.tensor(tensor.new{2}:bincount(4), {0, 1, 0, 0}, 0, "minlength")
check.tensor(tensor.new{2, 2}:bincount(1), {0, 2}, 0, "minlength below the largest label")
check.eq(tensor.zeros(0):bincount():numel(), 0, "bincount of nothing")
local Xs, ys = data.spiral{classes = 3, per_class = 7, seed = 1}
check.tensor(ys:bincount(), {7, 7, 7}, 0, "spiral classes are balanced")
check.raises("bincount: element 2 is 0, expected an integer >= 1 (labels are 1-based)", X.bincount, tensor.new{1, 0})
check.raises("element 1 is 1.5", X.bincount, tensor.new{1.5})
check.raises("expected a 1-D tensor, got shape (4x2)", X.bincount, X)
check.raises("minlength must be >= 0, got -1", X.bincount, tensor.new{1}, -1)
check.raises("bincount: a float64 tensor of shape (1152921504606846976) is too large", X.bincount, tensor.new{2^60})

-- onehot and gather: the cross-entropy by hand.
check.tensor(tensor.onehot({2, 1, 3}, 3), {{0, 1, 0}, {1, 0, 0}, {0, 0, 1}}, 0, "onehot")
check.tensor(tensor.onehot(tensor.new{2}, 4), {{0, 1, 0, 0}}, 0, "onehot of a tensor")
check.raises("tensor.onehot: label at row 2 is 4, expected an integer in 1..3", tensor.onehot, {1, 4}, 3)
check.raises("number of classes must be >= 1, got 0", tensor.onehot, {1}, 0)
local logits = tensor.new{{1, 2, 3}, {0, -1, 4}}
local labels = tensor.new{2, 3}
local logp = logits:log_softmax(2)
local picked = logp:gather(2, labels:view(2, 1))
check.eq(tostring(picked:shape()), "(2x1)", "gather has the index's shape")
local lt = logp:totable()
check.near(picked[1][1], lt[1][2], 0, "gather row 1")
check.near(picked[2][1], lt[2][3], 0, "gather row 2")
check.near(-(logp * tensor.onehot(labels, 3)):sum() / 2, nn.CrossEntropyLoss():forward(logits, labels), 1e-15,
  "onehot cross-entropy equals the built-in loss")
check.near(-picked:mean(), nn.CrossEntropyLoss():forward(logits, labels), 1e-15, "gathered cross-entropy")
check.tensor(m:gather(1, {{2, 1}, {1, 1}}), {{3, 2}, {1, 2}}, 0, "gather along dimension 1")
check.tensor(m:gather(2, {{2}, {1}}), {{2}, {3}}, 0, "an index narrower than the tensor")
check.raises("gather: index element 2 is 3, expected an integer in 1..2 (dimension 2)", m.gather, m, 2, {{1}, {3}})
check.raises("gather: index of shape (3) does not fit (2x2)", m.gather, m, 2, {1, 1, 1})

-- Shapes print as (AxB) and remain tables of numbers.
local sh = X:shape()
check.eq(tostring(sh), "(4x2)", "tostring of a shape")
check.eq(tostring(tensor.new(1):shape()), "()", "0-D shape")
check.eq(type(sh), "table", "still a table")
check.eq(#sh, 2, "length")
check.eq(sh[1] + sh[2], 6, "numbers")
check.eq(select("#", table.unpack(sh)), 2, "unpack")
check.eq(tostring(X:size()), "(4x2)", "size() is a shape too")
check.eq(X:shape() == tensor.zeros(4, 2):shape(), true, "equal shapes compare equal")
check.eq(X:shape() == X:t():shape(), false, "different shapes differ")
check.eq(tensor.zeros(sh):numel(), 8, "a shape works as sizes")
sh[3] = "z"
check.eq(tostring(sh), "(4x2xstring)", "a changed shape still prints")

-- gather in 3-D on a non-contiguous tensor, every element against a Lua loop.
tensor.seed(5)
local x3 = tensor.randn(3, 5, 4):transpose(1, 3)       -- (4x5x3), strided
local xt3 = x3:totable()
local pos = {}
for a = 1, 4 do
  pos[a] = {}
  for b = 1, 2 do pos[a][b] = {} for c = 1, 3 do pos[a][b][c] = (a * 7 + b * 3 + c) % 5 + 1 end end
end
local g3 = x3:gather(2, pos)
check.eq(tostring(g3:shape()), "(4x2x3)", "3-D gather shape")
for a = 1, 4 do for b = 1, 2 do for c = 1, 3 do
  check.eq(g3:get(a, b, c), xt3[a][pos[a][b][c]][c], "3-D gather at " .. a .. "," .. b .. "," .. c)
end end end
check.eq(x3:to("float32"):gather(1, {{{2}}}):dtype(), "float32", "gather keeps the dtype")
local long = tensor.zeros(1):shape()
for k = 2, 40 do long[k] = k end
check.eq(tostring(long), "(1x2x3x4x5x6x7x8x9x10x11x12x13x14x15x16x17x18x19x20x21x22x23x24x25x26x27x28x29x30x31x32x... 8 more)",
  "a table grown long prints short")

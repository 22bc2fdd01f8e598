local check = require "check"

-- index, gather and log_softmax (plain and under autograd) on views, offsets, 3-D and float32,
-- against element-by-element Lua loops.
local base = tensor.arange(1, 61):view(3, 4, 5)
local views = {
  plain = tensor.arange(1, 13):view(3, 4) * 1.5,
  transposed = (tensor.arange(1, 13):view(4, 3) * 0.5):t(),  -- (3, 4), strides (1, 3)
  offset = base:select(1, 2):narrow(2, 2, 4),                -- (4, 4) at an offset, row stride 5
}

for name, x in pairs(views) do
  local rows, cols = x:size(1), x:size(2)
  -- index along each dimension, with repeats.
  local picked = x:index(2, { 3, 1, 3 })
  for r = 1, rows do
    for k, c in ipairs{ 3, 1, 3 } do check.eq(picked:get(r, k), x:get(r, c), name .. " index(2) " .. r .. "," .. k) end
  end
  local rowsPicked = x:index(1, { rows, 1 })
  for c = 1, cols do check.eq(rowsPicked:get(1, c), x:get(rows, c), name .. " index(1) " .. c) end
  -- gather along the last and the first dimension.
  local idx = tensor.zeros(rows, 2)
  for r = 1, rows do idx:set((r % cols) + 1, r, 1); idx:set(1, r, 2) end
  local g = x:gather(2, idx)
  for r = 1, rows do
    for k = 1, 2 do check.eq(g:get(r, k), x:get(r, idx:get(r, k)), name .. " gather(2) " .. r .. "," .. k) end
  end
  local g1 = x:gather(1, tensor.new{ { rows, 1 } })
  check.eq(g1:get(1, 1), x:get(rows, 1), name .. " gather(1) first")
  check.eq(g1:get(1, 2), x:get(1, 2), name .. " gather(1) second")
  -- float32 keeps its dtype and values.
  local x32 = x:to("float32")
  check.tensor(x32:index(2, { 2 }), x:index(2, { 2 }), 0, name .. " float32 index")
  check.eq(x32:gather(2, idx):dtype(), "float32", name .. " float32 gather dtype")
  -- Gradients of index and gather under autograd on the view: counts of how often each element is read.
  local gi = autograd.grad(function(v) return v:index(2, { 3, 1, 3 }):sum() + v:gather(2, idx):sum() end)(x)
  for r = 1, rows do
    for c = 1, cols do
      local n = (c == 3 and 2 or 0) + (c == 1 and 1 or 0)
      for k = 1, 2 do if idx:get(r, k) == c then n = n + 1 end end
      check.eq(gi:get(r, c), n, name .. " gradient count at " .. r .. "," .. c)
    end
  end
  -- log_softmax under autograd equals the plain one, and its gradient is g - p * sum(g).
  local w = tensor.arange(1, cols + 1):view(1, cols)
  local glog, value = autograd.grad(function(v) return (v:log_softmax(2) * w):sum() end)(x)
  check.near(value, (x:log_softmax(2) * w):sum(), 1e-15, name .. " log_softmax value")
  local p = x:softmax(2)
  local total = w:sum()
  for r = 1, rows do
    for c = 1, cols do
      check.near(glog:get(r, c), w:get(1, c) - p:get(r, c) * total, 1e-14, name .. " log_softmax gradient " .. r .. "," .. c)
    end
  end
end

-- 3-D index along the middle dimension.
local mid = base:index(2, { 4, 2 })
for i = 1, 3 do for k = 1, 5 do
  check.eq(mid:get(i, 1, k), base:get(i, 4, k), "3-D index")
  check.eq(mid:get(i, 2, k), base:get(i, 2, k), "3-D index")
end end
-- log_softmax along a dimension other than the last, under autograd (the general path).
local gmid = autograd.grad(function(v) return v:log_softmax(1):select(1, 1):sum() end)(tensor.ones(2, 3))
check.tensor(gmid, { { 0.5, 0.5, 0.5 }, { -0.5, -0.5, -0.5 } }, 1e-15, "log_softmax along dimension 1")

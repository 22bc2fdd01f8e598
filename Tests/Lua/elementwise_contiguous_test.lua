local check = require "check"

-- Arithmetic on contiguous tensors takes a loop of its own: it must give exactly the values of the
-- general strided loop (here on transposed copies of the same values), for both dtypes.
tensor.seed(3)
local a, b = tensor.randn(4, 5), tensor.randn(4, 5)
local function strided(t) return t:t():contiguous():t() end  -- same values, non-contiguous
local at, bt = strided(a), strided(b)
assert(not at:is_contiguous() and a:is_contiguous(), "the two layouts differ")
local cases = {
  { "x + y", function(x, y) return x + y end }, { "x - y", function(x, y) return x - y end },
  { "x * y", function(x, y) return x * y end }, { "x / y", function(x, y) return x / y end },
  { "2 - x", function(x) return 2 - x end }, { "2 / x", function(x) return 2 / x end },
  { "x - 3", function(x) return x - 3 end }, { "-x", function(x) return -x end },
  { "x * one-element", function(x) return x * tensor.new({ 3 }, x:dtype()) end },
}
for _, dtype in ipairs{ "float64", "float32" } do
  local x, y, xt, yt = a:to(dtype), b:to(dtype), at:to(dtype), bt:to(dtype)
  for _, case in ipairs(cases) do
    local fast, slow = case[2](x, y), case[2](xt, yt)
    check.eq(fast:dtype(), dtype, case[1] .. " keeps " .. dtype)
    check.tensor(fast, slow, 0, case[1] .. " (" .. dtype .. ")")
  end
end
-- Hand-checked values.
check.tensor(tensor.new{ 1, 2, 4 } / tensor.new{ 2, 2, 2 } - tensor.new{ 0.5 }, { 0, 0.5, 1.5 }, 0, "small case")

-- tensor.new, constant tensors, ranges, random tensors and their errors.
local check = require "check"

-- tensor.new from a number, nested tables and another tensor
local s = tensor.new(2.5)
check.eq(s:dim(), 0, "0-D from a number")
check.eq(s:item(), 2.5, "item")
local m = tensor.new({{1, 2, 3}, {4, 5, 6}})
check.tensor(m, {{1, 2, 3}, {4, 5, 6}}, 0, "nested table")
check.eq(m:dtype(), "float64", "default dtype")
local f = tensor.new({0.1, 0.2}, "float32")
check.eq(f:dtype(), "float32", "float32 dtype")
check.near(f[1], 0.10000000149011612, 0, "float32 rounding of 0.1")
local c = tensor.new(m)
c:set(-1, 1, 1)
check.eq(m:get(1, 1), 1, "tensor.new(t) copies")
check.eq(tensor.new(m, "float32"):dtype(), "float32", "copy with another dtype")
check.eq(tensor.new({}):numel(), 0, "empty table")
check.tensor(tensor.new({{}}), {{}}, 0, "a 1x0 tensor")
check.eq(#tensor.new({{}}):shape(), 2, "{{}} is 2-D")
check.eq(tensor.new({{{1}, {2}}}):size(3), 1, "3-D")

-- constant tensors
check.tensor(tensor.zeros(2, 3), {{0, 0, 0}, {0, 0, 0}}, 0, "zeros")
check.tensor(tensor.ones(2), {1, 1}, 0, "ones")
check.eq(tensor.ones(2, 2, "float32"):dtype(), "float32", "ones float32")
check.tensor(tensor.zeros({3, 1}), {{0}, {0}, {0}}, 0, "zeros from a shape table")
check.eq(tensor.zeros():dim(), 0, "zeros() is 0-D")
check.eq(tensor.zeros(0, 4):numel(), 0, "size 0")
check.tensor(tensor.full({2, 2}, 7), {{7, 7}, {7, 7}}, 0, "full")
check.eq(tensor.full({3}, 0.5, "float32"):dtype(), "float32", "full float32")
check.tensor(tensor.eye(3), {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, 0, "eye")

-- ranges, values as numpy gives them (np.arange(1, 2, 0.3).tolist() etc.)
check.tensor(tensor.arange(5), {0, 1, 2, 3, 4}, 0, "arange(n)")
check.tensor(tensor.arange(2, 5), {2, 3, 4}, 0, "arange(a, b) excludes b")
check.tensor(tensor.arange(1, 2, 0.3), {1.0, 1.3, 1.6, 1.9000000000000001}, 0, "arange with a step")
check.tensor(tensor.arange(5, 0, -1.5), {5, 3.5, 2, 0.5}, 0, "negative step")
check.eq(tensor.arange(3, 1):numel(), 0, "empty range")
check.tensor(tensor.linspace(0, 1, 5), {0, 0.25, 0.5, 0.75, 1}, 0, "linspace")
check.tensor(tensor.linspace(-3, 2.5, 4), {-3.0, -1.1666666666666667, 0.6666666666666665, 2.5}, 0, "linspace as numpy")
check.tensor(tensor.linspace(2, 5, 1), {2}, 0, "one point")

-- random tensors: pinned to the documented generator (values from the Python reference in
-- Tests/DynCoreTests/GeneratorTests.swift)
tensor.seed(42)
check.tensor(tensor.rand(2, 2), {{0.08386297105988216, 0.3789802506626686}, {0.6800434110281394, 0.9246929453253876}}, 0, "rand, seed 42")
tensor.seed(0)
check.tensor(tensor.randn(4), {-0.01896499060631051, -0.40372109705088766, 1.6251100012755157, -1.0212488312794932}, 1e-15, "randn, seed 0")
tensor.seed(7)
local r1 = tensor.randn(3, 4)
tensor.seed(7)
check.tensor(tensor.randn(3, 4), r1, 0, "same seed, same numbers")
check.eq(tensor.rand(5, "float32"):dtype(), "float32", "rand float32")
local u = tensor.rand(1000)
check.eq(u:min() >= 0 and u:max() < 1, true, "rand in [0, 1)")
tensor.seed(-1)  -- any integer seed works

-- is_tensor
check.eq(tensor.is_tensor(m), true, "is_tensor")
check.eq(tensor.is_tensor({}), false, "is_tensor of a table")

-- errors (called directly inside a function, so that Lua names the function as the script does)
check.raises("bad argument #2 to 'new' (unknown dtype 'float16' (expected 'float64' or 'float32'))",
  function() local _ = tensor.new({1}, "float16") end)
check.raises("bad argument #2 to 'zeros' (unknown dtype 'int8' (expected 'float64' or 'float32'))",
  function() local _ = tensor.zeros(2, "int8") end)
check.raises("bad argument #1 to 'new' (ragged table: element [2] has 1 entries, expected 2)",
  function() local _ = tensor.new({{1, 2}, {3}}) end)
check.raises("bad argument #1 to 'new' (ragged table: element [2][1] has 2 entries, expected 1)",
  function() local _ = tensor.new({{{1}}, {{2, 3}}}) end)
check.raises("bad argument #1 to 'new' (element [2] is a string, expected a number)",
  function() local _ = tensor.new({1, "x"}) end)
check.raises("bad argument #1 to 'new' (element [2] is a number, expected a table)",
  function() local _ = tensor.new({{1}, 2}) end)
check.raises("bad argument #1 to 'new' (element [2] is a table, expected a number)",
  function() local _ = tensor.new({1, {2}}) end)
check.raises("bad argument #1 to 'new' (number, table or tensor expected, got string)",
  function() local _ = tensor.new("abc") end)
check.raises("bad argument #1 to 'new' (number, table or tensor expected, got no value)",
  function() local _ = tensor.new() end)
check.raises("bad argument #2 to 'zeros' (number expected, got boolean)", function() local _ = tensor.zeros(2, true) end)
check.raises("bad argument #1 to 'zeros' (size must be non-negative, got -1)", function() local _ = tensor.zeros(-1) end)
check.raises("bad argument #1 to 'ones' (number has no integer representation (got 2.5))",
  function() local _ = tensor.ones(2.5) end)
check.raises("bad argument #1 to 'full' (size 2 of the shape table must be a non-negative integer, got string)",
  function() local _ = tensor.full({2, "a"}, 1) end)
check.raises("bad argument #1 to 'full' (table expected, got number)", function() local _ = tensor.full(2, 1) end)
check.raises("bad argument #2 to 'full' (number expected, got no value)", function() local _ = tensor.full({2}) end)
check.raises("bad argument #1 to 'eye' (size must be non-negative, got -2)", function() local _ = tensor.eye(-2) end)
check.raises("arange: step must be a finite non-zero number and the bounds finite", function() local _ = tensor.arange(0, 1, 0) end)
check.raises("bad argument #2 to 'arange' (number expected, got string)", function() local _ = tensor.arange(0, "x") end)
check.raises("linspace: number of points must be >= 0, got -1", function() local _ = tensor.linspace(0, 1, -1) end)
check.raises("bad argument #3 to 'linspace' (number expected, got no value)", function() local _ = tensor.linspace(0, 1) end)
check.raises("bad argument #1 to 'seed' (number has no integer representation (got 1.5))", function() tensor.seed(1.5) end)
check.raises("bad argument #1 to 'rand' (number expected, got table)", function() local _ = tensor.rand({}, 2) end)
check.raises("bad argument #2 to 'randn' (size must be non-negative, got -3)", function() local _ = tensor.randn(2, -3) end)

-- sizes that cannot be allocated are errors, not crashes
check.raises("cannot allocate 8000000000000 bytes (7.3 TiB) for a float64 tensor of shape (1000000x1000000) (out of memory)",
  function() local _ = tensor.zeros(1e6, 1e6) end)
check.raises("tensor.ones: shape (10000000000x10000000000) has too many elements", function() local _ = tensor.ones({1e10, 1e10}) end)
check.raises("cannot allocate 4000000000000 bytes (3.6 TiB) for a float32 tensor of shape (1000000x1000000)", function() local _ = tensor.full({1e6, 1e6}, 1, "float32") end)
check.raises("cannot allocate 800000000000000 bytes (727.6 TiB) for a float64 tensor of shape (10000000x10000000)", function() local _ = tensor.eye(1e7) end)
check.raises("cannot allocate 8000000000000 bytes (7.3 TiB) for a float64 tensor of shape (1000000x1000000)", function() local _ = tensor.rand(1e6, 1e6) end)
check.raises("cannot allocate 800000000000000 bytes (727.6 TiB) for a float64 tensor of shape (100000000000000)", function() local _ = tensor.arange(0, 1e14) end)
check.raises("cannot allocate 800000000000000 bytes (727.6 TiB) for a float64 tensor of shape (100000000000000)", function() local _ = tensor.linspace(0, 1, 1e14 // 1) end)
check.raises("bad argument #1 to 'full' (size 1 of the shape table must be a non-negative integer, got -2)",
  function() local _ = tensor.full({-2}, 1) end)
check.eq(tensor.arange(1e300, -1e300):numel(), 0, "an empty range with huge bounds")
check.raises("arange: 2e+300 elements is too many", function() local _ = tensor.arange(-1e300, 1e300) end)

-- Sizes a script controls: each case used to abort the process (an integer conversion trap,
-- fatalError on a failed allocation, a Swift array sized by the script); now each is a Lua error
-- naming what was wrong, or works.
local check = require "check"

check.raises("Linear: sizes must be at most 2147483647 (BLAS's limit), got 1 -> 9223372036854775807",
  function() return nn.Linear(1, math.maxinteger) end)
check.raises("Linear: sizes must be at most 2147483647 (BLAS's limit), got 2147483648 -> 1",
  function() return nn.Linear(2^31, 1) end)
check.raises("cannot allocate 8000000000000 bytes (7.3 TiB) for a float64 tensor of shape (1000000x1000000) (out of memory)",
  function() return nn.Linear(1e6, 1e6) end)
check.raises("data.spiral: classes x per_class (9223372036854775807 x 100) is too large",
  function() return data.spiral{classes = math.maxinteger} end)
check.raises("cannot allocate 52776558133248 bytes (48 TiB) for a float64 tensor of shape (3298534883328x2)",
  function() return data.spiral{per_class = 2^40} end)
check.raises("data.sine: classes x per_class (9223372036854775807 x 2) is too large",
  function() return data.sine{classes = math.maxinteger, per_class = 2} end)
check.raises("plot.figure: rows and cols must be >= 1 (at most 64 panels), got 1 x 9223372036854775807",
  function() return plot.figure{cols = math.maxinteger} end)
check.raises("plot.figure: rows and cols must be >= 1 (at most 64 panels), got 2 x 9223372036854775807",
  function() return plot.figure{rows = 2, cols = math.maxinteger} end)
check.raises("data.sine: frequency must be a number in [-1e307, 1e307], got 1e+308",
  function() return data.sine{frequency = 1e308} end)
-- Near the bound the bands are still computed (sin of a huge but finite argument).
check.eq(data.sine{frequency = 1e307, per_class = 2}:dim(), 2, "data.sine at the frequency bound")

-- Schedules of more classes than memory holds: the weights tensor is allocated first.
check.raises("cannot allocate 8796093022208 bytes (8 TiB) for a float64 tensor of shape (1099511627776)",
  function() return schedule.constant(2^40)(1) end)
check.raises("cannot allocate 8796093022208 bytes (8 TiB) for a float64 tensor of shape (1099511627776)",
  function() return schedule.triangular{classes = 2^40, amplitude = 2, period = 10}(1) end)
check.tensor(schedule.triangular{classes = 3, amplitude = 2, period = 10}(1), {1, 1, 1}, 1e-15, "a small schedule")

-- More threads than CPUs are reduced to the CPU count, whatever was asked.
local cpus = sys.blas_threads(2^31)
check.eq(cpus >= 1, true, "threads in effect")
check.eq(sys.blas_threads(1e6), cpus, "the same cap")
check.eq(sys.blas_threads(1), 1, "back to one thread")

-- train.fit: a 0-D x, and a huge step count stopped early by on_step (the history must not be
-- allocated for 2^40 steps up front).
local function fit(opts)
  local m = nn.Linear(1, 2)
  opts.model, opts.loss, opts.optimizer = m, nn.CrossEntropyLoss(), optim.SGD(m, {lr = 0.1})
  return train.fit(opts)
end
check.raises("train.fit: x must have at least 2 dimensions (samples first: (N, features) or (N, C, H, W)), got shape ()",
  function() return fit{x = tensor.zeros(), y = {1}, steps = 1} end)
local calls = 0
local h = fit{x = tensor.zeros(4, 1), y = {1, 2, 1, 2}, steps = 2^40,
              on_step = function() calls = calls + 1; return calls < 5 end}
check.eq(#h.loss, 5, "steps recorded before on_step stopped the run")
-- The largest count there is (found by the fuzz harness: steps / every + 1 overflowed).
calls = 0
h = fit{x = tensor.zeros(4, 1), y = {1, 2, 1, 2}, steps = math.maxinteger,
        on_step = function() calls = calls + 1; return calls < 3 end}
check.eq(#h.loss, 3, "math.maxinteger steps, stopped by on_step")

-- Nested tables whose shape product overflows, or names more memory than exists.
local t = {1, 1}
for _ = 1, 64 do local up = {}; for i = 1, 1000 do up[i] = t end; t = up; if _ == 8 then break end end
check.raises("tensor.new: shape (1000x1000x1000x1000x1000x1000x1000x1000x2) has too many elements",
  function() return tensor.new(t) end)
local a = {}
for i = 1, 1000 do a[i] = 1 end
local b, c, d = {}, {}, {}
for i = 1, 1000 do b[i] = a end
for i = 1, 1000 do c[i] = b end
for i = 1, 1000 do d[i] = c end
check.raises("cannot allocate 8000000000000 bytes (7.3 TiB) for a float64 tensor of shape (1000x1000x1000x1000)",
  function() return tensor.new(d) end)
check.tensor(tensor.new({{1, 2}, {3, 4}}, "float32"), {{1, 2}, {3, 4}}, 0, "a small nested table")

-- Seeds: any integer, negative ones as their 64-bit two's complement (as tensor.seed takes
-- them): deterministic, and a different stream from their absolute value.
local x = tensor.new({{0.5, -1}, {2, 0.25}, {-1.5, 1}})
local m = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 2))
local loss = nn.CrossEntropyLoss()
local top = analysis.hessian_top(m, loss, x, {1, 2, 1}, {seed = -1, k = 1})
check.near(top[1], analysis.hessian_top(m, loss, x, {1, 2, 1}, {seed = 1, k = 1})[1], 1e-6, "top eigenvalue")
local g1, d1 = analysis.spectral_density(m, loss, x, {1, 2, 1}, {seed = -1, starts = 1, iters = 3})
local g2, d2 = analysis.spectral_density(m, loss, x, {1, 2, 1}, {seed = -1, starts = 1, iters = 3})
local g3 = analysis.spectral_density(m, loss, x, {1, 2, 1}, {seed = 1, starts = 1, iters = 3})
check.tensor(d1, d2, 0, "same negative seed, same density")
check.eq((g1 - g3):abs():max() > 0, true, "seeds -1 and 1 differ")
check.raises("spectral_density: iters must be >= 1, starts in 1..1000 and grid in 2..1000000, got iters = 3, starts = 2147483648, grid = 512",
  function() return analysis.spectral_density(m, loss, x, {1, 2, 1}, {starts = 2^31, iters = 3}) end)
check.raises("grid in 2..1000000, got iters = 3, starts = 4, grid = 1099511627776",
  function() return analysis.spectral_density(m, loss, x, {1, 2, 1}, {grid = 2^40, iters = 3}) end)
local h2 = fit{x = tensor.zeros(4, 1), y = {1, 2, 1, 2}, steps = 2, analysis = {every = 1, seed = -1}}
check.eq(#h2.loss, 2, "train.fit with a negative analysis seed")

-- An axis bound that is infinite once transformed (symlog of 1e308) used to trap converting
-- its decade to an integer.
local f = plot.figure()
f:panel(1, {yscale = "symlog", ylim = {-1e308, 1e308}})
f:line(1, tensor.new({1, 2}), tensor.new({1, 2}))
check.eq(f:svg():find("<svg", 1, true) ~= nil, true, "the symlog figure renders")

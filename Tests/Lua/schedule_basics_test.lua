local check = require "check"

-- The paper's setting; reference weights from fig4_torch.py's gamma() in python3/numpy (see
-- Tests/DynCoreTests/ScheduleTests.swift), compared exactly.
local s = schedule.triangular{classes=3, amplitude=70, period=5000}
check.eq(s:classes(), 3, "classes")
check.eq(s(1):dtype(), "float64", "dtype")
check.tensor(s(1), {1, 1, 1}, 0, "step 1")
check.tensor(s(2), {1.0182322631787555, 0.9908838684106223, 0.9908838684106223}, 0, "step 2")
check.tensor(s(2502), {2.916634709972156, 0.041682645013922, 0.041682645013922}, 0, "step 2502")
check.tensor(s(12345), {0.04431681202581011, 0.04431681202581011, 2.9113663759483797}, 0, "step 12345")
check.eq(s:focus(1), 1, "focus 1")
check.eq(s:focus(5001), 2, "focus 5001")
check.eq(s:focus(10001), 3, "focus 10001")
check.eq(s:focus(15001), 1, "focus wraps")

-- Raw weights: s = 2*69/5000, tau = 1 gives 1.0276, tau = T/2 gives A.
local raw = schedule.triangular{classes=3, amplitude=70, period=5000, normalize=false}
check.tensor(raw(2), {1.0276, 1, 1}, 0, "raw step 2")
check.tensor(raw(2501), {70, 1, 1}, 0, "raw peak")

-- static_after: from that step on, plain cross-entropy.
local st = schedule.triangular{classes=3, amplitude=70, period=5000, static_after=100}
check.tensor(st(99), s(99), 0, "before static")
check.tensor(st(100), {1, 1, 1}, 0, "static")
check.eq(st:focus(100), nil, "no focus when static")

-- sine: 1 + (A-1) sin^2(pi tau / T); T = 10, A = 5 peaks at tau = 5 (step 6), normalized to sum 4.
local sn = schedule.sine{classes=4, amplitude=5, period=10}
check.tensor(sn(6), {2.5, 0.5, 0.5, 0.5}, 1e-15, "sine peak")
check.tensor(schedule.sine{classes=4, amplitude=5, period=10, normalize=false}(3),
  {1 + 4 * math.sin(math.pi * 2 / 10)^2, 1, 1, 1}, 1e-15, "sine raw")
check.eq(sn:focus(40), 4, "sine focus")

local c = schedule.constant(2)
check.tensor(c(7), {1, 1}, 0, "constant")
check.eq(c:focus(7), nil, "constant focus")
check.eq(tostring(s), "schedule.triangular{classes=3, amplitude=70, period=5000, normalize=true}", "tostring")
check.eq(schedule.is_schedule(s), true, "is_schedule")

-- Bad options and steps.
check.raises("amplitude must be a finite number >= 1, got 0.5", schedule.triangular, {classes=3, amplitude=0.5, period=10})
check.raises("period must be >= 1, got 0", schedule.sine, {classes=3, amplitude=2, period=0})
check.raises("classes must be >= 1, got 0", schedule.triangular, {classes=0, amplitude=2, period=10})
check.raises("unknown option 'periods'", schedule.triangular, {classes=3, amplitude=2, periods=10})
check.raises("option 'period' is required", schedule.triangular, {classes=3, amplitude=2})
check.raises("option 'period' must be an integer", schedule.triangular, {classes=3, amplitude=2, period=2.5})
check.raises("static_after must be >= 1", schedule.triangular, {classes=3, amplitude=2, period=5, static_after=0})
check.raises("bad argument #1 to 'schedule.constant' (number of classes must be >= 1, got 0)", schedule.constant, 0)
check.raises("step must be an integer >= 1, got 0", s, 0)
check.raises("step must be an integer >= 1, got 1.5", s, 1.5)
check.raises("step must be an integer >= 1, got string", s.focus, s, "x")

-- custom: a table or tensor of C weights.
local cu = schedule.custom(function(step) return {1, step, 3} end)
check.eq(cu:classes(), nil, "count unknown before the first call")
check.tensor(cu(5), {1, 5, 3}, 0, "custom table")
check.eq(cu:classes(), 3, "count fixed by the first call")
check.eq(cu:focus(5), 2, "custom focus is the largest weight")
check.eq(cu:focus(1), 3, "custom focus")
local ct = schedule.custom(function(step) return tensor.ones(2) * step end, {classes=2})
check.tensor(ct(3), {3, 3}, 0, "custom tensor")
check.eq(ct:focus(3), nil, "equal weights: no focus")
check.raises("at step 4, the function returned 2 weights, expected 3 (one per class)",
  schedule.custom(function(step) return step < 4 and {1, 1, 1} or {1, 1} end, {classes=3}), 4)
check.raises("at step 2, weight 2 is a boolean, expected a number", schedule.custom(function() return {1, true} end), 2)
check.raises("at step 2, weight 1 is inf, expected a finite number >= 0", schedule.custom(function() return {1/0} end), 2)
check.raises("at step 1, the function returned a nil, expected a table or tensor of weights",
  schedule.custom(function() end), 1)
check.raises("bad argument #1 to 'schedule.custom' (function expected, got number)", schedule.custom, 3)
local ok, err = pcall(schedule.custom(function(step) error("broken at " .. step) end), 9)
check.eq(ok, false, "error in fn")
check.eq(err:find("error in the schedule function at step 9", 1, true) ~= nil, true, "names the step: " .. err)
check.eq(err:find("broken at 9", 1, true) ~= nil, true, "carries the message")
check.eq(err:find("stack traceback", 1, true) ~= nil, true, "carries the traceback")
-- The schedule still works after an error, and from inside a coroutine.
local flaky = schedule.custom(function(step) if step == 2 then error("x") end return {step} end)
check.eq(pcall(flaky, 2), false, "flaky fails at 2")
check.tensor(flaky(3), {3}, 0, "flaky recovers")
local co = coroutine.wrap(function() return flaky(4) end)
check.tensor(co(), {4}, 0, "from a coroutine")

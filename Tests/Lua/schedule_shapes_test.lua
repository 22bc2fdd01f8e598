-- schedule.square, schedule.random and schedule.custom's options, against closed forms, an
-- independent computation of the random classes, and train.fit runs.
local check = require "check"

-- square: A for tau < duty * T, 1 otherwise; C = 2, A = 3, T = 4, duty 1/2.
local sq = schedule.square{classes = 2, amplitude = 3, period = 4}
check.tensor(sq(1), {1.5, 0.5}, 0, "on: 3/4*2 and 1/4*2")
check.tensor(sq(2), {1.5, 0.5}, 0, "on at tau = 1")
check.tensor(sq(3), {1, 1}, 0, "off at tau = 2 = duty*T")
check.tensor(sq(4), {1, 1}, 0, "off at tau = 3")
check.tensor(sq(5), {0.5, 1.5}, 0, "class 2's period")
check.eq(sq:focus(3), 1, "focus is the period's class, on or off")
check.eq(sq:focus(6), 2, "focus of period 2")
check.eq(sq:focus(9), 1, "focus cycles back")
local raw = schedule.square{classes = 3, amplitude = 10, period = 10, duty = 0.3, normalize = false}
for step = 1, 10 do
  check.tensor(raw(step), {step <= 3 and 10 or 1, 1, 1}, 0, "duty 0.3 at step " .. step)
end
check.tensor(schedule.square{classes = 2, amplitude = 4, period = 3, duty = 1, normalize = false}(3), {4, 1}, 0, "duty 1: always on")
check.tensor(schedule.square{classes = 2, amplitude = 4, period = 4, duty = 0.01, normalize = false}(1), {4, 1}, 0, "a short duty keeps tau = 0")
local sqs = schedule.square{classes = 2, amplitude = 3, period = 4, static_after = 3}
check.tensor(sqs(3), {1, 1}, 0, "square static_after")
check.eq(sqs:focus(3), nil, "no focus when static")
check.eq(tostring(raw), "schedule.square{classes=3, amplitude=10, period=10, normalize=false, duty=0.3}", "square tostring")
check.raises("schedule.square: duty must be a number in (0, 1], got 0", schedule.square, {classes = 2, amplitude = 2, period = 2, duty = 0})
check.raises("duty must be a number in (0, 1], got 1.5", schedule.square, {classes = 2, amplitude = 2, period = 2, duty = 1.5})
check.raises("duty must be a number in (0, 1], got nan", schedule.square, {classes = 2, amplitude = 2, period = 2, duty = 0 / 0})
check.raises("schedule.square: unknown option 'seed'", schedule.square, {classes = 2, amplitude = 2, period = 2, seed = 1})

-- random: the class of period p is fixed by (seed, p). The expected sequences were computed
-- independently in Python (SplitMix64 and xoshiro256** written out, the draw by rejection; the
-- same code reproduces tensor.seed(42)'s first uniform, 0.08386297105988216).
local expected = {
  [0] = {1, 3, 3, 1, 2, 1, 2, 3, 1, 3, 2, 2},
  [7] = {3, 3, 2, 3, 1, 3, 2, 1, 3, 3, 2, 3},
  [-1] = {3, 1, 2, 3, 3, 2, 2, 2, 2, 2, 3, 3},
}
for seed, classes in pairs(expected) do
  local s = schedule.random{classes = 3, amplitude = 5, period = 4, seed = seed}
  for p = 1, #classes do
    for tau = 0, 3 do check.eq(s:focus(4 * (p - 1) + tau + 1), classes[p], "seed " .. seed .. " period " .. p) end
  end
end
local ten = schedule.random{classes = 10, amplitude = 2, period = 1}
local want10 = {9, 3, 1, 4, 6, 4, 4, 5, 5, 2, 7, 8}
for p = 1, 12 do check.eq(ten:focus(p), want10[p], "10 classes, period " .. p) end
-- Asked out of order, or far ahead, the answer is the same (no hidden state).
check.eq(ten:focus(3), 1, "again")
local far = ten:focus(2^40)
check.eq(far >= 1 and far <= 10, true, "far ahead")
-- Each shape gives the focused class the raw weight of that shape at tau.
local A, T = 7, 8
local shapes = {
  triangular = function(tau) local s = 2 * (A - 1) / T; return tau < T / 2 and 1 + tau * s or 2 * A - tau * s - 1 end,
  sine = function(tau) return 1 + (A - 1) * math.sin(math.pi * tau / T)^2 end,
  square = function(tau) return tau < 0.25 * T and A or 1 end,
}
for shape, bump in pairs(shapes) do
  local s = schedule.random{classes = 4, amplitude = A, period = T, seed = 5, shape = shape, normalize = false,
                            duty = shape == "square" and 0.25 or nil}
  for step = 1, 40 do
    local k, w = s:focus(step), s(step)
    for c = 1, 4 do
      check.near(w[c], c == k and bump((step - 1) % T) or 1, 1e-14, shape .. " step " .. step .. " class " .. c)
    end
  end
end
local rn = schedule.random{classes = 3, amplitude = 5, period = 4, seed = 2}
check.near(rn(3):sum(), 3, 1e-15, "normalized to sum C")
check.tensor(schedule.random{classes = 3, amplitude = 5, period = 4, static_after = 9}(9), {1, 1, 1}, 0, "random static_after")
check.eq(tostring(rn), 'schedule.random{classes=3, amplitude=5, period=4, normalize=true, seed=2, shape="triangular"}', "random tostring")
-- Every class comes up about equally often: 3000 periods, each count within 5 sigma of 1000.
local counts = {0, 0, 0}
local many = schedule.random{classes = 3, amplitude = 2, period = 1, seed = 11}
for step = 1, 3000 do local k = many:focus(step); counts[k] = counts[k] + 1 end
for c = 1, 3 do check.eq(math.abs(counts[c] - 1000) < 5 * math.sqrt(3000 * (1 / 3) * (2 / 3)), true, "count of class " .. c .. ": " .. counts[c]) end
check.raises("schedule.random: option 'shape' must be \"triangular\", \"sine\" or \"square\", got \"saw\"",
  schedule.random, {classes = 3, amplitude = 2, period = 2, shape = "saw"})
check.raises("option 'duty' applies to shape = \"square\" only", schedule.random, {classes = 3, amplitude = 2, period = 2, duty = 0.5})
check.raises("option 'seed' must be an integer", schedule.random, {classes = 3, amplitude = 2, period = 2, seed = 0.5})
check.raises("option 'period' is required", schedule.random, {classes = 3, amplitude = 2})

-- custom: normalize and static_after mean what they mean for the built-ins.
local calls = 0
local cu = schedule.custom(function(step) calls = calls + 1; return {1, 3, step - 2} end, {normalize = true, static_after = 5})
check.tensor(cu(4), {0.5, 1.5, 1}, 0, "normalized: w / sum * C")
check.eq(cu:focus(4), 2, "focus of the normalized weights")
calls = 0
check.tensor(cu(5), {1, 1, 1}, 0, "static from step 5")
check.eq(cu:focus(6), nil, "no focus when static")
check.eq(calls, 0, "the function is not called once static")
check.tensor(schedule.custom(function() return tensor.new{2, 2} end, {normalize = true})(1), {1, 1}, 0, "a tensor result normalized")
check.raises("at step 1, the weights sum to 0; normalize = true needs a finite positive sum",
  schedule.custom(function() return {0, 0} end, {normalize = true}), 1)
check.raises("the weights are static (all ones) but the number of classes is not known yet (give classes = C)",
  schedule.custom(function() return {1, 2} end, {static_after = 1}), 3)
check.tensor(schedule.custom(function() return {1, 2} end, {static_after = 1, classes = 2})(3), {1, 1}, 0, "static with classes")
check.raises("schedule.custom: static_after must be >= 1, got 0", schedule.custom, print, {static_after = 0})
check.raises("option 'normalize' must be a boolean", schedule.custom, print, {normalize = 1})
check.raises("unknown option 'amplitude'", schedule.custom, print, {amplitude = 1})
check.eq(tostring(cu), "schedule.custom{normalize=true, static_after=5}", "custom tostring")

-- train.fit: a built-in runs natively and gives the same run as the same weights from Lua.
local function run(weights)
  tensor.seed(7)
  local X, y = data.spiral{classes = 3, per_class = 10, seed = 3}
  local model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 3))
  local h = train.fit{model = model, loss = nn.CrossEntropyLoss(), optimizer = optim.SGD(model, {lr = 0.3}),
                      x = X, y = y, steps = 24, weights = weights, progress = false}
  return h, model:flat_parameters()
end
for _, s in ipairs{schedule.random{classes = 3, amplitude = 9, period = 4, seed = 3, shape = "sine"},
                   schedule.square{classes = 3, amplitude = 9, period = 6, duty = 0.5, static_after = 19}} do
  local h1, p1 = run(s)
  local h2, p2 = run(function(step) return s(step) end)
  check.tensor(p1, p2, 0, tostring(s) .. ": same parameters as from Lua")
  for i = 1, #h1.step do
    check.tensor(tensor.new(h1.weights[i]), s(h1.step[i]), 0, tostring(s) .. ": weights recorded at " .. h1.step[i])
  end
end
-- custom with normalize and static_after, no classes, straight into train.fit.
local h = run(schedule.custom(function(step) return {1, step, 1} end, {normalize = true, static_after = 20}))
check.tensor(tensor.new(h.weights[4]), {0.5, 2, 0.5}, 1e-15, "custom normalized in train.fit")
check.tensor(tensor.new(h.weights[20]), {1, 1, 1}, 0, "custom static in train.fit")

-- s1 * s2: the weights multiplied class by class, not normalized again; s * x scales them.
local tri = schedule.triangular{classes = 3, amplitude = 5, period = 6}
local sqr = schedule.square{classes = 3, amplitude = 4, period = 4, normalize = false}
local prod = tri * sqr
for step = 1, 30 do
  local a, b, w = tri(step):totable(), sqr(step):totable(), prod(step):totable()
  for c = 1, 3 do check.eq(w[c], a[c] * b[c], "product at step " .. step .. " class " .. c) end
end
check.eq(tostring(prod), "(" .. tostring(tri) .. ") * (" .. tostring(sqr) .. ")", "product tostring")
check.tensor((tri * 2)(4), tri(4) * 2, 0, "s * x")
check.tensor((0.5 * tri)(4), tri(4) * 0.5, 0, "x * s")
check.eq(prod:classes(), 3, "product classes")
-- focus: the largest product weight. At step 1 the triangle is flat and the square is on for class 1.
check.eq(prod:focus(1), 1, "product focus")
check.eq((schedule.constant(3) * 2):focus(1), nil, "equal weights: no focus")
local lazy = schedule.custom(function(step) return {1, 2, step} end) * tri
check.tensor(lazy(5), {tri(5)[1], 2 * tri(5)[2], 5 * tri(5)[3]}, 0, "a custom without classes times a built-in")
check.raises("cannot multiply schedules of 3 and 2 classes", function() return tri * schedule.constant(2) end)
check.raises("to multiply two schedule.custom schedules, give one of them classes = C",
  function() return schedule.custom(print) * schedule.custom(print) end)
check.raises("a schedule can only be scaled by a finite number >= 0, got -1", function() return tri * -1 end)
check.raises("schedule or number expected, got table", function() return tri * {} end)
local h1, p1 = run(prod)
local h2, p2 = run(function(step) return tri(step) * sqr(step) end)
check.tensor(p1, p2, 0, "product in train.fit: same parameters as from Lua")
-- Squaring in a loop doubles the work per step: bounded at 64 factors, with a short tostring.
local sq64 = tri
for _ = 1, 6 do sq64 = sq64 * sq64 end
check.tensor(sq64(2), tri(2):pow(64), 1e-12, "64 factors")
check.eq(#tostring(sq64) <= 400, true, "long products are summarized: " .. tostring(sq64))
check.eq(#tostring((sq64 * 1) * (sq64 * 1):classes()) <= 400, true, "and stay short")
check.raises("a product of 128 schedules is more than the 64 allowed", function() return sq64 * sq64 end)

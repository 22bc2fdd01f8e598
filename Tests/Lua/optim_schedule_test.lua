-- Learning-rate schedules: optim.schedule.* against their closed forms, an lr given as a Lua
-- function (called once per step, with the step), the same updates as setting opt.lr by hand,
-- in train.fit too, and clear errors.
local check = require "check"

local bits = check.bits

-- Closed forms, written here independently of the implementation.
local cos = optim.schedule.cosine{ lr = 0.1, steps = 110, warmup = 10, final = 0.002 }
check.eq(tostring(cos), "optim.schedule.cosine{lr=0.1, steps=110, warmup=10, final=0.002}", "tostring")
check.eq(optim.schedule.is_schedule(cos), true, "is_schedule")
check.eq(optim.schedule.is_schedule(schedule.constant(3)), false, "a class-weight schedule is not one")
for _, s in ipairs{ 1, 5, 10 } do check.near(cos(s), 0.1 * s / 10, 1e-15, "warm-up at " .. s) end
for _, s in ipairs{ 11, 35, 60, 97, 110 } do
  local p = (s - 10) / 100
  check.near(cos(s), 0.002 + (0.1 - 0.002) * (1 + math.cos(math.pi * p)) / 2, 1e-15, "cosine at " .. s)
end
check.near(cos(60), 0.051, 1e-15, "half way: the mean of lr and final")
check.eq(cos(110), 0.002, "the last step reaches final")
check.eq(cos(500), 0.002, "after steps: final")

local st = optim.schedule.step{ lr = 1, every = 3, gamma = 0.5, warmup = 2 }
local want = { 0.5, 1, 1, 1, 1, 0.5, 0.5, 0.5, 0.25 }
for s = 1, #want do check.eq(st(s), want[s], "step decay at " .. s) end
local ms = optim.schedule.step{ lr = 0.3, milestones = { 4, 7 } }
want = { 0.3, 0.3, 0.3, 0.3 * 0.1, 0.3 * 0.1, 0.3 * 0.1, 0.3 * 0.1 * 0.1 }
for s = 1, #want do check.near(ms(s), want[s], 1e-15, "milestones at " .. s) end
check.eq(tostring(ms), "optim.schedule.step{lr=0.3, milestones={4, 7}, gamma=0.1}", "tostring of milestones")
local c = optim.schedule.constant{ lr = 0.2, warmup = 4 }
check.eq(c(2), 0.1, "constant's warm-up")
check.eq(c(9), 0.2, "constant after warm-up")

-- An lr function is called once per step with the step; each update is that of a plain SGD
-- whose lr was set by hand to the same value before the step.
local X = tensor.randn(12, 3)
local y = { 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3 }
local function model() tensor.seed(4); return nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 3)) end
local function gradients(m)
  local loss = nn.CrossEntropyLoss()
  m:zero_grad()
  local out = m:forward(X)
  loss:forward(out, y)
  m:backward(X, loss:backward(out, y))
end
local calls = {}
local f = function(step) calls[#calls + 1] = step; return 0.5 / step end
local a, b = model(), model()
local oa = optim.SGD(a, { lr = f, momentum = 0.9 })
local ob = optim.SGD(b, { lr = 1, momentum = 0.9 })
check.eq(tostring(oa), "optim.SGD{lr=function, momentum=0.9, weight_decay=0, nesterov=false}", "tostring with a function")
for step = 1, 4 do
  gradients(a); oa:step()
  gradients(b); ob.lr = 0.5 / step; ob:step()
end
check.eq(table.concat(calls, ","), "1,2,3,4", "called once per step, with the step")
check.eq(oa.lr, 0.5 / 4, "opt.lr reads the last step's rate")
check.eq(bits(a:flat_parameters()), bits(b:flat_parameters()), "same updates as setting lr by hand")

-- A built-in schedule in Adam; a number assigned later replaces it; a schedule assigned later
-- takes over at the next step (counted from the optimizer's first step).
a, b = model(), model()
oa = optim.Adam(a, { lr = optim.schedule.step{ lr = 0.01, every = 2 } })
ob = optim.Adam(b, { lr = 0.01 })
check.eq(oa.lr, 0.01, "a built-in's rate at step 1 before any step")
for step = 1, 5 do
  gradients(a); oa:step()
  gradients(b); ob.lr = 0.01 * 0.1 ^ ((step - 1) // 2); ob:step()
end
check.eq(bits(a:flat_parameters()), bits(b:flat_parameters()), "Adam with a step schedule")
oa.lr = 0.003
gradients(a); oa:step()
check.eq(oa.lr, 0.003, "a number replaces the schedule")
oa.lr = optim.schedule.constant{ lr = 0.25, warmup = 8 }
gradients(a); oa:step()
check.eq(oa.lr, 0.25 * 7 / 8, "an assigned schedule sees the optimizer's step (7)")

-- train.fit: a schedule gives the same run as on_step setting the next step's rate.
local function fit(lr, on_step)
  local m = model()
  local opt = optim.SGD(m, { lr = lr, momentum = 0.5 })
  local h = train.fit{ model = m, loss = nn.CrossEntropyLoss(), optimizer = opt, x = X, y = y, steps = 20,
                       batch_size = 5, progress = false, on_step = on_step and function(s) on_step(opt, s) end,
                       on_step_every = on_step and 1 or nil }
  return m, h, opt
end
local sched = optim.schedule.cosine{ lr = 0.4, steps = 20, warmup = 3 }
local m1, h1, o1 = fit(sched)
local m2, h2 = fit(sched(1), function(opt, s) opt.lr = sched(s + 1) end)
check.eq(bits(m1:flat_parameters()), bits(m2:flat_parameters()), "train.fit with a schedule")
check.eq(bits(tensor.new(h1.loss)), bits(tensor.new(h2.loss)), "the same losses")
check.eq(o1.steps, 20, "the optimizer counted the steps")
local seen = 0
fit(function(step) seen = seen + 1; check.eq(step, seen, "train.fit passes the step"); return 0.1 end)
check.eq(seen, 20, "train.fit calls the lr function once per step")

-- Errors.
check.raises("optim.SGD: lr must be a finite number >= 0, a function of the step or an optim.schedule, got -1",
             optim.SGD, model(), { lr = -1 })
check.raises("got string", optim.SGD, model(), { lr = "0.1" })
check.raises("optim.Adam: lr must be", optim.Adam, model(), { lr = 0 / 0 })
local bad = optim.SGD(model(), { lr = function(s) return s == 2 and "fast" or 0.1 end })
bad:step()  -- zero gradients: only the rate matters here
check.raises("optim.SGD: the lr function returned string at step 2 (expected a finite number >= 0)", bad.step, bad)
bad.lr = function() return -0.5 end
check.raises("optim.SGD: the learning-rate schedule gave -0.5 at step 2", bad.step, bad)
bad.lr = function(s) error("no rate for " .. s) end
check.raises("optim.SGD: error in the lr function at step 2: ", bad.step, bad)
check.eq(bad.steps, 1, "a failed step takes no step")
check.raises("optim.SGD: lr must be", function() bad.lr = {} end)
check.raises("optim.SGD: the learning-rate schedule gave inf at step 1", function()
  local m = model()
  return train.fit{ model = m, loss = nn.CrossEntropyLoss(), optimizer = optim.SGD(m, { lr = function() return 1 / 0 end }),
                    x = X, y = y, steps = 2, progress = false }
end)
check.raises("optim.schedule.cosine: option 'steps' is required", optim.schedule.cosine, { lr = 1 })
check.raises("optim.schedule.cosine: option 'lr' is required", optim.schedule.cosine, { steps = 5 })
check.raises("optim.schedule.cosine: steps must be greater than warmup (5), got 5", optim.schedule.cosine,
             { lr = 1, steps = 5, warmup = 5 })
check.raises("optim.schedule.cosine: final must be a finite number >= 0, got -1", optim.schedule.cosine,
             { lr = 1, steps = 5, final = -1 })
check.raises("optim.schedule.step: give exactly one of 'every' and 'milestones'", optim.schedule.step, { lr = 1 })
check.raises("optim.schedule.step: milestones must be increasing integers >= 1, got {3, 2}", optim.schedule.step,
             { lr = 1, milestones = { 3, 2 } })
check.raises("optim.schedule.step: milestones must be integers, got 1.5", optim.schedule.step, { lr = 1, milestones = { 1.5 } })
check.raises("optim.schedule.step: every must be an integer >= 1, got 0", optim.schedule.step, { lr = 1, every = 0 })
check.raises("optim.schedule.step: gamma must be a finite number >= 0, got -2", optim.schedule.step,
             { lr = 1, every = 2, gamma = -2 })
check.raises("optim.schedule.constant: warmup must be an integer >= 0, got -1", optim.schedule.constant, { lr = 1, warmup = -1 })
check.raises("optim.schedule.constant: lr must be a finite number >= 0, got inf", optim.schedule.constant, { lr = 1 / 0 })
check.raises("unknown option 'stepz'", optim.schedule.cosine, { lr = 1, stepz = 5 })
check.raises("optim.schedule: step must be an integer >= 1, got 0", cos, 0)
check.raises("options table expected", optim.schedule.cosine, 5)

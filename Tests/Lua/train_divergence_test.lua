-- train.fit on diverging runs (learning rates far too large): by default an error naming the
-- step and the value, the model left at the parameters before that step; on_nonfinite = "stop"
-- returns the history so far, marked; "continue" trains on. Checked against a loop written
-- by hand that stops at the first non-finite loss.
local check = require "check"

local function nonfinite(v) return v ~= v or v == math.huge or v == -math.huge end

-- The spiral and a 2 -> 16 -> 3 network; `extra` appends a module (nn.Identity keeps the
-- values but takes train.fit off its fused kernel).
local function setup(lossname, lr, extra)
  tensor.seed(3)
  local X, y = data.spiral{ classes = 3, per_class = 20, seed = 3 }
  local model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
  if extra then model:add(extra) end
  local loss = lossname == "mse" and nn.MSELoss() or nn.CrossEntropyLoss()
  return model, loss, optim.SGD(model, { lr = lr }), X, y
end

-- The hand-written loop: the first step whose loss is not finite, and the parameters then.
local function reference(lossname, lr, steps)
  local model, loss, opt, X, y = setup(lossname, lr)
  for step = 1, steps do
    local out = model:forward(X)
    local l = loss:forward(out, y)
    if nonfinite(l) then return step, model:flat_parameters(), l end
    model:zero_grad()
    model:backward(X, loss:backward(out, y))
    opt:step()
  end
  error("the reference run did not diverge within " .. steps .. " steps")
end

for _, case in ipairs{ { "mse", 10 }, { "ce", 1e100 } } do
  local lossname, lr = case[1], case[2]
  local bad, want, badloss = reference(lossname, lr, 400)
  assert(bad > 2, lossname .. ": diverges at step " .. bad .. ", too early for a useful test")

  -- Default: an error naming the step and the loss; the model as before that step.
  for _, extra in ipairs{ false, true } do
    local what = lossname .. (extra and ", module path" or "")
    local model, loss, opt, X, y = setup(lossname, lr, extra and nn.Identity() or nil)
    local ok, err = pcall(train.fit, { model = model, loss = loss, optimizer = opt, x = X, y = y, steps = 400, progress = false })
    check.eq(ok, false, what .. ": pcall status")
    local msg = string.format("diverged at step %d: the loss is %s", bad, badloss ~= badloss and "nan" or badloss > 0 and "inf" or "-inf")
    assert(err:find(msg, 1, true), what .. ": " .. err)
    check.tensor(model:flat_parameters(), want, 0, what .. ": parameters before the diverging step")
  end

  -- "stop": the history of the steps before, and where it stopped.
  local model, loss, opt, X, y = setup(lossname, lr)
  local h = train.fit{ model = model, loss = loss, optimizer = opt, x = X, y = y, steps = 400, progress = false, on_nonfinite = "stop" }
  check.eq(#h.step, bad - 1, lossname .. ": recorded steps")
  for i = 1, #h.loss do assert(not nonfinite(h.loss[i]), lossname .. ": loss " .. i .. " is " .. h.loss[i]) end
  check.eq(h.stopped.step, bad, lossname .. ": stopped.step")
  check.eq(tostring(h.stopped.value), tostring(badloss), lossname .. ": stopped.value")
  assert(h.stopped.reason:find("the loss is", 1, true), h.stopped.reason)
  check.tensor(model:flat_parameters(), want, 0, lossname .. ": parameters after stop")

  -- "continue": all steps, as before this option existed.
  local model2, loss2, opt2, X2, y2 = setup(lossname, lr)
  local h2 = train.fit{ model = model2, loss = loss2, optimizer = opt2, x = X2, y = y2, steps = bad + 5, progress = false, on_nonfinite = "continue" }
  check.eq(#h2.step, bad + 5, lossname .. ": continue records every step")
  assert(nonfinite(h2.loss[bad]), lossname .. ": continue records the non-finite loss")
  check.eq(h2.stopped, nil, lossname .. ": continue has no stopped mark")
end

-- An update that would overflow (lr 1e308, inputs x 100) is refused at step 1, before any
-- loss is non-finite: the parameters stay as they were.
do
  local model, loss, opt, X, y = setup("ce", 1e308)
  local before = model:flat_parameters()
  local ok, err = pcall(train.fit, { model = model, loss = loss, optimizer = opt, x = X * 100, y = y, steps = 5, progress = false })
  check.eq(ok, false, "overflowing update: pcall status")
  assert(err:find("diverged at step 1: the update would make parameter 1 (element ", 1, true), err)
  check.tensor(model:flat_parameters(), before, 0, "parameters after a refused update")
  -- Adam's refused step leaves its moments and step count: training on from there equals a
  -- fresh Adam from the same parameters.
  local adam = optim.Adam(model, { lr = 1e308 })
  local h = train.fit{ model = model, loss = loss, optimizer = adam, x = X, y = y, steps = 5, progress = false, on_nonfinite = "stop" }
  check.eq(h.stopped.step, 1, "Adam: stopped at step 1")
  check.tensor(model:flat_parameters(), before, 0, "Adam: parameters after a refused update")
  adam.lr = 0.01
  train.fit{ model = model, loss = loss, optimizer = adam, x = X, y = y, steps = 3, progress = false }
  local model2 = setup("ce", 1)
  local h2 = train.fit{ model = model2, loss = loss, optimizer = optim.Adam(model2, { lr = 0.01 }), x = X, y = y, steps = 3, progress = false }
  check.tensor(model:flat_parameters(), model2:flat_parameters(), 0, "Adam after a refused step vs a fresh Adam")
end

local model, loss, opt, X, y = setup("ce", 0.1)
check.raises([[option 'on_nonfinite' must be "error", "stop" or "continue", got "halt"]], train.fit,
  { model = model, loss = loss, optimizer = opt, x = X, y = y, steps = 1, on_nonfinite = "halt" })

-- With checkpoints, a stopped run resumed from its last checkpoint stops at the same step with
-- the same parameters (nothing is written at the step that stopped).
do
  local path = os.tmpname()
  os.remove(path)
  local function run()
    local model, loss, opt, X, y = setup("mse", 10)
    local h = train.fit{ model = model, loss = loss, optimizer = opt, x = X, y = y, steps = 400, progress = false,
                         on_nonfinite = "stop", checkpoint = { path = path, every = 10 }, resume = path }
    return h, model
  end
  local h1, m1 = run()
  local h2, m2 = run()
  os.remove(path)
  local bad = reference("mse", 10, 400)
  check.eq(h1.stopped.step, bad, "first run stops at the diverging step")
  check.eq(h2.stopped.step, bad, "resumed run stops at the same step")
  check.eq(#h2.step, bad - 1, "resumed run's history")
  check.tensor(m2:flat_parameters(), m1:flat_parameters(), 0, "resumed run's parameters")
end

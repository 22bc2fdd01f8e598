-- train.fit's error handling: bad options, a failing weights hook (reported with its step
-- and traceback, the model left at the last completed step), on_step stopping training.
local check = require "check"

local function setup()
  tensor.seed(1)
  local X, y = data.spiral{ classes = 3, per_class = 10, seed = 1 }
  local model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 3))
  return X, y, model, nn.CrossEntropyLoss(), optim.SGD(model, { lr = 0.1 })
end

local X, y, model, loss, opt = setup()
check.raises("unknown option 'stepz'", train.fit, { model = model, loss = loss, optimizer = opt, x = X, y = y, stepz = 3 })
check.raises("steps", train.fit, { model = model, loss = loss, optimizer = opt, x = X, y = y })
check.raises("model", train.fit, { model = 3, loss = loss, optimizer = opt, x = X, y = y, steps = 1 })
local bad = y:clone(); bad[5] = 4
check.raises("row 5: label 4 outside 1..3", train.fit, { model = model, loss = loss, optimizer = opt, x = X, y = bad, steps = 1, progress = false })

-- The hook fails at step 4: the error names the step and carries the traceback; the
-- parameters are those after step 3.
local ok, err = pcall(train.fit, { model = model, loss = loss, optimizer = opt, x = X, y = y, steps = 10, progress = false,
  weights = function(step)
    if step == 4 then error("no weights for step four") end
    return { 1, 2, 1 }
  end })
check.eq(ok, false, "pcall status")
assert(err:find("no weights for step four", 1, true), err)
assert(err:find("step 4", 1, true), err)
assert(err:find("stack traceback", 1, true), err)

local X2, y2, model2, loss2, opt2 = setup()
train.fit{ model = model2, loss = loss2, optimizer = opt2, x = X2, y = y2, steps = 3, progress = false,
           weights = function() return { 1, 2, 1 } end }
check.tensor(model:flat_parameters(), model2:flat_parameters(), 0, "parameters at the last completed step")

-- A weights function returning the wrong number of weights.
check.raises("expected 3", train.fit, { model = model, loss = loss, optimizer = opt, x = X, y = y, steps = 2, progress = false,
  weights = function() return { 1, 1 } end })

-- on_step returning false stops after that step; every = 2 records steps 1, 3, 5.
local seen = {}
local h = train.fit{ model = model, loss = loss, optimizer = opt, x = X, y = y, steps = 100, every = 2, progress = false,
  on_step = function(step, info)
    seen[#seen + 1] = step
    check.near(info.loss, info.loss, 0, "info.loss is a number")
    return step < 5
  end }
check.eq(#h.step, 3, "recorded steps before stopping")
check.eq(h.step[3], 5, "last recorded step")
check.eq(#seen, 3, "on_step calls")

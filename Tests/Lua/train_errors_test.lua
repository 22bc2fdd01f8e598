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

-- Messages name the option and show the caller's own values.
do
  local X3, y3, m3, l3, o3 = setup()
  local base = { model = m3, loss = l3, optimizer = o3, x = X3, y = y3, steps = 2, progress = false }
  local function with(extra) return check.with(base, extra) end
  check.raises("train.fit: option 'weights' must be a schedule or a function of the step, got table (fixed class weights belong to the loss",
    train.fit, with{ weights = { 1, 2, 3 } })
  local closed = schedule.constant(3); getmetatable(closed).__close(closed)
  check.raises("train.fit: option 'weights': schedule has been closed", train.fit, with{ weights = closed })
  check.raises("train.fit: option 'validation': options table expected, got number", train.fit, with{ validation = 3 })
  check.raises("train.fit: option 'analysis': options table expected, got number", train.fit, with{ analysis = 3 })
  check.raises("train.fit: x must have at least 2 dimensions (samples first: (N, features) or (N, C, H, W)), got shape (5)", train.fit, with{ x = tensor.ones(5) })
  check.raises("train.fit: x must have at least 2 dimensions (samples first: (N, features) or (N, C, H, W)), got shape ()", train.fit, with{ x = tensor.new(1) })
  check.raises("train.fit: x of shape (30x5) does not fit the model: Linear(2 -> 8): input of shape (30x5) should have 2 columns", train.fit, with{ x = tensor.zeros(30, 5) })
  check.raises("train.fit: analysis option 'ntk_points' has shape (5x3), but x has 2 columns (shape (30x2))", train.fit,
    with{ analysis = { ntk_points = tensor.zeros(5, 3) } })
  check.raises("ntk: points of shape (5x3) do not fit the model: Linear(2 -> 8): input of shape (5x3) should have 2 columns",
    analysis.ntk, m3, tensor.zeros(5, 3))
  check.raises("train.fit: rows of x and labels differ: x has 2 rows (shape (2x30)), y has 30 labels (is x transposed?", train.fit, with{ x = X3:t() })
  check.raises("train.fit: rows of validation x and labels differ: validation x has 2 rows (shape (2x30)), validation y has 30 labels", train.fit, with{ validation = { x = X3:t(), y = y3 } })
  check.raises("train.fit: x of shape (30x2) does not fit the model: Linear(7 -> 3): input of shape (30x8) should have 7 columns", train.fit, with{ model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(7, 3)) })

  -- schedule.custom without `classes`: its first call fixes them; its own error shows, with
  -- its position and traceback.
  local ok, err = pcall(train.fit, with{ weights = schedule.custom(function(step) error("no weights yet") end) })
  check.eq(ok, false, "failing schedule.custom")
  assert(err:find("schedule.custom: error in the schedule function at step 1: ", 1, true), err)
  assert(err:find("train_errors_test.lua:%d+: no weights yet"), err)
  assert(err:find("stack traceback", 1, true), err)
  check.raises("schedule.custom: at step 1, the function returned 2 weights, expected 3", train.fit,
    with{ weights = schedule.custom(function() return { 1, 1 } end) })
  local function w(step) return { 1, 1 + step, 2 } end
  local Xa, ya, ma, la, oa = setup()
  local ha = train.fit{ model = ma, loss = la, optimizer = oa, x = Xa, y = ya, steps = 4, progress = false, weights = schedule.custom(w) }
  local Xb, yb, mb, lb, ob = setup()
  local hb = train.fit{ model = mb, loss = lb, optimizer = ob, x = Xb, y = yb, steps = 4, progress = false, weights = w }
  check.tensor(ma:flat_parameters(), mb:flat_parameters(), 0, "schedule.custom without classes trains as the plain function")
  check.eq(ha.weights[3][2], 4, "weights recorded from schedule.custom")
end

-- Without a schedule the history records the loss's own (static) weights, as they are at each
-- step (on_step may change them).
do
  local function text(t) local s = {} for i, v in ipairs(t) do s[i] = string.format("%g", v) end return table.concat(s, ",") end
  local X4, y4, m4, _, o4 = setup()
  local l4 = nn.CrossEntropyLoss{ weights = { 1, 2, 3 } }
  local h = train.fit{ model = m4, loss = l4, optimizer = o4, x = X4, y = y4, steps = 3, progress = false,
    on_step = function(step) if step == 2 then l4:set_weights{ 3, 2, 1 } end end }
  check.eq(text(h.weights[1]), "1,2,3", "static weights at step 1")
  check.eq(text(h.weights[3]), "3,2,1", "weights after on_step changed them")
  local h2 = train.fit{ model = m4, loss = nn.CrossEntropyLoss(), optimizer = o4, x = X4, y = y4, steps = 1, progress = false }
  check.eq(text(h2.weights[1]), "1,1,1", "no weights: all ones")
end

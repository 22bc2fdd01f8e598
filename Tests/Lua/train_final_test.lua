-- The metrics of the trained model: the last step is always recorded, h.final is measured at
-- the parameters after the last update (checked against train.evaluate, a hand computation and
-- the next step's own forward pass), the fused and module paths agree, and on_step_every calls
-- on_step independently of the recording.
local check = require "check"

local X, y = data.spiral{ classes = 3, per_class = 30, seed = 4 }
local Xv, yv = data.spiral{ classes = 3, per_class = 10, seed = 9 }
local weights = schedule.triangular{ classes = 3, amplitude = 5, period = 6 }

local function fit(options, identity)
  tensor.seed(3)
  local layers = { nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3) }
  if identity then layers[#layers + 1] = nn.Identity() end  -- turns the fused kernel off
  local model = nn.Sequential(table.unpack(layers))
  local config = { model = model, loss = nn.CrossEntropyLoss(), optimizer = optim.SGD(model, { lr = 0.5 }),
                   x = X, y = y, steps = 8, every = 3, weights = weights, progress = false }
  for k, v in pairs(options or {}) do config[k] = v end
  return train.fit(config), model, config.loss
end

-- steps = 8, every = 3: steps 1, 4, 7 and the last one, 8.
local h, model, loss = fit()
check.eq(table.concat(h.step, ","), "1,4,7,8", "recorded steps")
check.eq(#h.loss, 4, "loss entries"); check.eq(#h.weights, 4, "weights entries")

-- h.final by hand: cross-entropy (unweighted) and argmax accuracy of the trained model.
local out = model:forward(X)
local lsm, pred = out:log_softmax(2), out:argmax(2)
local sum, right, per_right, per_total = 0, 0, { 0, 0, 0 }, { 0, 0, 0 }
for r = 1, X:size(1) do
  local c = y[r]
  sum = sum - lsm:get(r, c)
  per_total[c] = per_total[c] + 1
  if pred[r] == c then right = right + 1; per_right[c] = per_right[c] + 1 end
end
check.near(h.final.loss, sum / X:size(1), 1e-13, "final loss by hand")
check.eq(h.final.accuracy, right / X:size(1), "final accuracy by hand")
for c = 1, 3 do check.eq(h.final.class_accuracy[c], per_right[c] / per_total[c], "final accuracy of class " .. c) end
check.eq(h.final.val_loss, nil, "no validation, no val_loss")

-- train.evaluate gives the same bits; the model is left as it was.
local before = model:flat_parameters()
local l, a, ca = train.evaluate(model, nn.CrossEntropyLoss(), X, y)
check.eq(l, h.final.loss, "train.evaluate loss"); check.eq(a, h.final.accuracy, "train.evaluate accuracy")
for c = 1, 3 do check.eq(ca[c], h.final.class_accuracy[c], "train.evaluate class " .. c) end
check.tensor(model:flat_parameters(), before, 0, "train.evaluate changes no parameter")

-- The final parameters are those step 9 of a longer run starts from: its loss (fused kernel)
-- is h.final's (module path) to the last bit, and differs from the last recorded one.
local h9 = fit{ steps = 9, every = 1 }
check.eq(h9.loss[9], h.final.loss, "final loss = loss at the start of step 9")
check.eq(h9.accuracy[9], h.final.accuracy, "final accuracy = accuracy at the start of step 9")
assert(h.final.loss ~= h.loss[#h.loss], "the final loss is not the last recorded one")

-- Fused and module paths agree, with validation and with minibatches.
for _, options in ipairs{ { validation = { x = Xv, y = yv } }, { batch_size = 20, seed = 2, validation = { x = Xv, y = yv } } } do
  local fused, m1 = fit(options)
  local plain = fit(options, true)
  for _, k in ipairs{ "loss", "accuracy", "val_loss", "val_accuracy" } do
    check.eq(fused.final[k], plain.final[k], "fused and module paths: final " .. k)
  end
  local vl, va = train.evaluate(m1, nn.CrossEntropyLoss(), Xv, yv)
  check.eq(fused.final.val_loss, vl, "final validation loss"); check.eq(fused.final.val_accuracy, va, "final validation accuracy")
  check.eq(fused.final.loss, (train.evaluate(m1, nn.CrossEntropyLoss(), X, y)), "final loss over the whole training set")
end

-- In chunks: the same accuracies, the same loss up to rounding; a 1-D table of labels works too.
local lc, ac, cc = train.evaluate(model, nn.CrossEntropyLoss(), X, y:totable(), { batch_size = 7 })
check.near(lc, h.final.loss, 1e-14, "chunked loss"); check.eq(ac, h.final.accuracy, "chunked accuracy")
for c = 1, 3 do check.eq(cc[c], h.final.class_accuracy[c], "chunked class " .. c) end

-- Errors show the user's shapes.
check.raises("train.evaluate: rows of x and labels differ: x has 2 rows (shape (2x90)), y has 90 labels (is x transposed?",
             train.evaluate, model, loss, X:t(), y)
check.raises("train.evaluate: x of shape (90x3) does not fit the model: Linear(2 -> 16): input of shape (90x3) should have 2 columns",
             train.evaluate, model, loss, tensor.zeros(90, 3), y)
check.raises("train.evaluate: rows of x and labels differ: x has 90 rows (shape (90x2)), y has 1 label", train.evaluate, model, loss, X, { 1 })
check.raises("train.evaluate: y: row 1: label 4 outside 1..3", train.evaluate, model, loss, X:narrow(1, 1, 1), { 4 })
check.raises("train.evaluate: unknown option 'batch'", train.evaluate, model, loss, X, y, { batch = 3 })
check.raises("batch_size must be >= 1, got 0", train.evaluate, model, loss, X, y, { batch_size = 0 })
check.raises("bad argument #2", train.evaluate, model, 3, X, y)

-- on_step_every = 1: on_step at every step, recording unchanged; a learning rate set per step
-- trains exactly as with every = 1 (recording does not touch training).
local current = {}  -- the optimizer of the run in progress
local function decay(calls)
  return function(step, info)
    calls[#calls + 1] = step .. ":" .. string.format("%.17g", info.loss)
    current.opt.lr = 0.5 / (1 + step)
  end
end
local calls_a, calls_b = {}, {}
tensor.seed(3)
local ma = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
current.opt = optim.SGD(ma, { lr = 0.5 })
local ha = train.fit{ model = ma, loss = nn.CrossEntropyLoss(), optimizer = current.opt, x = X, y = y, steps = 10, every = 5,
                      on_step_every = 1, on_step = decay(calls_a), progress = false }
tensor.seed(3)
local mb = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
current.opt = optim.SGD(mb, { lr = 0.5 })
train.fit{ model = mb, loss = nn.CrossEntropyLoss(), optimizer = current.opt, x = X, y = y, steps = 10, every = 1,
           on_step = decay(calls_b), progress = false }
check.eq(table.concat(ha.step, ","), "1,6,10", "recorded steps with on_step_every")
check.eq(table.concat(calls_a, " "), table.concat(calls_b, " "), "on_step at every step with the same losses")
check.tensor(ma:flat_parameters(), mb:flat_parameters(), 0, "per-step learning rate")

-- on_step_every = 4 calls at 1, 5, 9 and the last step; returning false at step 5 (not a
-- recording step) records it, without validation (NaN: validation runs only at recording steps).
local seen = {}
local hs = fit{ steps = 10, every = 3, on_step_every = 4, validation = { x = Xv, y = yv },
                on_step = function(step, info) seen[#seen + 1] = step; check.eq(info.val_loss ~= nil, (step - 1) % 3 == 0, "val_loss in info at " .. step) end }
check.eq(table.concat(seen, ","), "1,5,9,10", "on_step_every = 4")
seen = {}
hs = fit{ steps = 10, every = 3, on_step_every = 4, validation = { x = Xv, y = yv },
          on_step = function(step) seen[#seen + 1] = step; return step < 5 end }
check.eq(table.concat(hs.step, ","), "1,4,5", "stopped at step 5: recorded")
assert(hs.val_loss[3] ~= hs.val_loss[3] and hs.val_accuracy[3] ~= hs.val_accuracy[3], "no validation at step 5")
check.eq(hs.val_loss[2] == hs.val_loss[2], true, "validation at step 4")
check.raises("option 'on_step_every' needs on_step", train.fit, { model = model, loss = loss, optimizer = optim.SGD(model, { lr = 0.1 }),
  x = X, y = y, steps = 1, on_step_every = 1, progress = false })
check.raises("on_step_every must be >= 1, got 0", fit, { on_step_every = 0, on_step = function() end })

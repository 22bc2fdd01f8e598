-- train.fit against the same run written by hand with forward/backward/step: every recorded
-- metric and the final parameters must agree to the last bit.
local check = require "check"

local function setup()
  tensor.seed(7)
  local X, y = data.spiral{ classes = 3, per_class = 20, seed = 3 }
  local model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 3))
  local loss = nn.CrossEntropyLoss()
  local opt = optim.SGD(model, { lr = 0.5, momentum = 0.9 })
  return X, y, model, loss, opt
end

local steps = 30
local weights = schedule.triangular{ classes = 3, amplitude = 5, period = 8 }

local X, y, model, loss, opt = setup()
local h = train.fit{ model = model, loss = loss, optimizer = opt, x = X, y = y, steps = steps,
                     weights = weights, progress = false }
check.eq(#h.step, steps, "recorded steps")

local X2, y2, model2, loss2, opt2 = setup()
local plain = nn.CrossEntropyLoss()
for step = 1, steps do
  local w = weights(step)
  loss2:set_weights(w)
  local out = model2:forward(X2)
  check.eq(h.step[step], step, "step")
  check.eq(h.weighted_loss[step], loss2:forward(out, y2), "weighted loss at step " .. step)
  check.eq(h.loss[step], plain:forward(out, y2), "loss at step " .. step)
  check.eq(h.accuracy[step], out:argmax(2):eq(y2):mean(), "accuracy at step " .. step)
  for c = 1, 3 do check.eq(h.weights[step][c], w[c], "weight " .. c .. " at step " .. step) end
  local g = loss2:backward(out, y2)
  opt2:zero_grad()
  model2:backward(X2, g)
  opt2:step()
end
check.tensor(model:flat_parameters(), model2:flat_parameters(), 0, "parameters after training")

-- A schedule written as a plain Lua function gives the same run as the built-in one.
local X3, y3, model3, loss3, opt3 = setup()
local h3 = train.fit{ model = model3, loss = loss3, optimizer = opt3, x = X3, y = y3, steps = steps,
                      weights = function(step) return weights(step) end, progress = false }
for i = 1, steps do check.eq(h3.weighted_loss[i], h.weighted_loss[i], "Lua-function weights, step " .. i) end
check.tensor(model3:flat_parameters(), model:flat_parameters(), 0, "parameters with Lua-function weights")

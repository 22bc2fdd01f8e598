-- train.fit's fused step (Linear -> ReLU -> Linear with cross-entropy, float64) against the
-- same run module by module (a trailing Identity turns the fusion off): every recorded value
-- and the final parameters agree to the last bit, full batch over several slices of rows and a
-- hidden width that is not a whole number of vectors, and with shuffled minibatches. Then a
-- callback that breaks the fast path's assumptions mid-run gets a clear error.
local check = require "check"

local X, y = data.spiral{ classes = 3, per_class = 60, seed = 5 }
local weights = schedule.triangular{ classes = 3, amplitude = 9, period = 10 }

local function run(extra, options)
  tensor.seed(11)
  local layers = { nn.Linear(2, 37), nn.ReLU(), nn.Linear(37, 3) }
  if extra then layers[#layers + 1] = nn.Identity() end
  local model = nn.Sequential(table.unpack(layers))
  local opt = optim.SGD(model, { lr = 0.5, momentum = 0.9 })
  local config = { model = model, loss = nn.CrossEntropyLoss(), optimizer = opt, x = X, y = y, steps = 25,
                   weights = weights, progress = false }
  for k, v in pairs(options or {}) do config[k] = v end
  return train.fit(config), model
end

for _, options in ipairs({ {}, { batch_size = 50, seed = 3 } }) do
  local label = options.batch_size and "minibatches" or "full batch"
  local fused, m1 = run(false, options)
  local plain, m2 = run(true, options)
  for i = 1, #plain.step do
    check.eq(fused.loss[i], plain.loss[i], label .. ": loss at step " .. i)
    check.eq(fused.weighted_loss[i], plain.weighted_loss[i], label .. ": weighted loss at step " .. i)
    check.eq(fused.accuracy[i], plain.accuracy[i], label .. ": accuracy at step " .. i)
  end
  check.tensor(m1:flat_parameters(), m2:flat_parameters(), 0, label .. ": parameters")
end

-- Loss weights of the wrong count set from on_step: the next step reports it.
tensor.seed(1)
local model = nn.Sequential(nn.Linear(2, 20), nn.ReLU(), nn.Linear(20, 3))
local loss = nn.CrossEntropyLoss()
check.raises("3 classes, 2 weights", train.fit, { model = model, loss = loss, optimizer = optim.SGD(model, { lr = 0.1 }),
  x = X, y = y, steps = 5, progress = false, on_step = function() loss:set_weights({ 1, 1 }) end })

-- The model converted to float32 from on_step: the optimizer says its parameters were replaced.
tensor.seed(1)
model = nn.Sequential(nn.Linear(2, 20), nn.ReLU(), nn.Linear(20, 3))
check.raises("parameters were replaced", train.fit, { model = model, loss = nn.CrossEntropyLoss(),
  optimizer = optim.SGD(model, { lr = 0.1 }), x = X, y = y, steps = 5, progress = false,
  on_step = function() model:to("float32") end })

-- train.fit's CSV log and on_step's per-class accuracy, against the history and a hand count.
local check = require "check"

tensor.seed(2)
local X, y = data.spiral{ classes = 3, per_class = 10, seed = 2 }
local model = nn.Sequential(nn.Linear(2, 6), nn.ReLU(), nn.Linear(6, 3))
local loss = nn.CrossEntropyLoss()
local path = os.tmpname()
local infos = {}
local h = train.fit{ model = model, loss = loss, optimizer = optim.SGD(model, { lr = 0.2 }), x = X, y = y,
                     steps = 7, every = 3, log = path, progress = false,
                     weights = schedule.triangular{ classes = 3, amplitude = 4, period = 4 },
                     on_step = function(step, info) infos[#infos + 1] = info end }

-- The shortest "%.Pg" text that reads back to v (what the log must not be longer than).
local function shortest_g(v)
  for p = 1, 17 do
    local s = string.format("%." .. p .. "g", v)
    if tonumber(s) == v then return s end
  end
end

-- One header and one line per recorded step, with the history's values read back bit for bit
-- from their shortest text (0.1, not 0.10000000000000001; steps without ".0").
local lines = {}
for line in io.lines(path) do lines[#lines + 1] = line end
os.remove(path)
check.eq(lines[1], "step,loss,weighted_loss,accuracy,w1,w2,w3", "header")
check.eq(#lines, 1 + #h.step, "log lines")
for i = 1, #h.step do
  local f = {}
  for v in lines[i + 1]:gmatch("[^,]+") do
    f[#f + 1] = tonumber(v)
    assert(#v <= #shortest_g(f[#f]), "log text '" .. v .. "' is longer than " .. shortest_g(f[#f]))
  end
  check.eq(math.type(f[1]), "integer", "step written as an integer")
  check.eq(f[1], h.step[i], "step")
  check.eq(f[2], h.loss[i], "loss")
  check.eq(f[3], h.weighted_loss[i], "weighted loss")
  check.eq(f[4], h.accuracy[i], "accuracy")
  for c = 1, 3 do check.eq(f[4 + c], h.weights[i][c], "weight " .. c) end
end

-- class_accuracy of the last recorded step (7), counted by hand at the same parameters:
-- train again for 6 steps from the same start and look at the 7th forward pass.
check.eq(#infos, 3, "on_step calls")
tensor.seed(2)
local m2 = nn.Sequential(nn.Linear(2, 6), nn.ReLU(), nn.Linear(6, 3))
train.fit{ model = m2, loss = nn.CrossEntropyLoss(), optimizer = optim.SGD(m2, { lr = 0.2 }), x = X, y = y, steps = 6,
           progress = false, weights = schedule.triangular{ classes = 3, amplitude = 4, period = 4 } }
local pred = m2:forward(X):argmax(2)
for c = 1, 3 do
  local right, total = 0, 0
  for r = 1, y:size(1) do
    if y[r] == c then total = total + 1; if pred[r] == c then right = right + 1 end end
  end
  check.eq(infos[3].class_accuracy[c], right / total, "class " .. c .. " accuracy")
end

-- A run that fails leaves no log behind.
local bad = os.tmpname(); os.remove(bad)
pcall(train.fit, { model = model, loss = loss, optimizer = optim.SGD(model, { lr = 0.2 }), x = X, y = y, steps = 5,
                   log = bad, progress = false, weights = function(step) if step == 3 then error("stop") end return { 1, 1, 1 } end })
check.eq(io.open(bad), nil, "no log file after a failed run")

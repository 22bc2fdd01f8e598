-- Three class-weight schedules written in Lua, each a plain function of the step handed to
-- train.fit as `weights`, compared with plain cross-entropy on the paper's spiral (2-30-3 ReLU,
-- full-batch gradient descent). No recompiling: edit a function below and run again.
--   1. smooth:  every class's weight follows a cosine bump that travels round the classes;
--   2. worst:   focus on the class with the lowest accuracy so far (read from on_step);
--   3. decay:   the paper's triangular schedule with an amplitude that decays over training.
-- Prints final accuracies and writes schedules.svg with the weights and accuracies over time.
--
--   dynlua examples/schedules.lua [steps=30000] [out=schedules]
local options = sys.params{ steps = 30000, out = "schedules" }

local C, T = 3, 2000
local X, y = data.spiral{ classes = C, per_class = 100, seed = 0 }

-- Scales raw weights so that they sum to C, as the paper's normalization does.
local function normalized(w)
  local s = 0
  for c = 1, C do s = s + w[c] end
  for c = 1, C do w[c] = w[c] * C / s end
  return w
end

local schedules = {}

-- 1. A smooth travelling bump: w_c = exp(k cos(2 pi (t/T - (c-1)/C))).
schedules.smooth = function(step)
  local w = {}
  for c = 1, C do w[c] = math.exp(2.5 * math.cos(2 * math.pi * (step / T - (c - 1) / C))) end
  return normalized(w)
end

-- 2. The worst class so far gets weight A; on_step (below) keeps `worst` up to date.
local worst = 1
schedules.worst = function(step)
  local w = { 1, 1, 1 }
  w[worst] = 8
  return normalized(w)
end

-- 3. Triangular, amplitude 1 + 69 exp(-t / 10000).
schedules.decay = function(step)
  local A = 1 + 69 * math.exp(-step / 10000)
  local tau, k = (step - 1) % T, ((step - 1) // T) % C
  local s = 2 * (A - 1) / T
  local w = { 1, 1, 1 }
  w[k + 1] = tau < T / 2 and 1 + tau * s or 2 * A - 1 - tau * s
  return normalized(w)
end

local names = { "cross-entropy", "smooth", "worst", "decay" }
local results = {}
for _, name in ipairs(names) do
  tensor.seed(1)
  worst = 1
  local model = nn.Sequential(nn.Linear(2, 30), nn.ReLU(), nn.Linear(30, C))
  results[name] = train.fit{
    model = model, loss = nn.CrossEntropyLoss(), optimizer = optim.SGD(model, { lr = 0.5 }),
    x = X, y = y, steps = options.steps, weights = schedules[name], every = 20,
    on_step = function(step, info)
      local lowest = math.huge
      for c = 1, C do
        if info.class_accuracy[c] < lowest then lowest, worst = info.class_accuracy[c], c end
      end
    end,
  }
end

print(string.format("%-14s %10s %10s", "schedule", "accuracy", "loss"))
for _, name in ipairs(names) do
  local f = results[name].final  -- the trained model, after the last update
  print(string.format("%-14s %10.3f %10.4f", name, f.accuracy, f.loss))
end

local fig = plot.figure{ rows = 4, cols = 1, width = 900, height = 900, title = "Class-weight schedules written in Lua (spiral, 2-30-3 ReLU)" }
for k, name in ipairs({ "smooth", "worst", "decay" }) do
  local h = results[name]
  for c = 1, C do
    local w = {}
    for i = 1, #h.step do w[i] = h.weights[i][c] end
    fig:line(k, h.step, w, { label = "Γ" .. c, color = c })
  end
  fig:panel(k, { ylabel = name .. " Γᵢ" })
end
for k, name in ipairs(names) do
  fig:line(4, results[name].step, results[name].accuracy, { label = name, color = k })
end
fig:panel(4, { ylabel = "accuracy", xlabel = "step" })
fig:save(options.out .. ".svg")
print("wrote " .. options.out .. ".svg")

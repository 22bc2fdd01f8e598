-- The built-in schedules side by side on the paper's spiral (2-30-3 ReLU, full-batch gradient
-- descent): plain cross-entropy, the triangular bump, a square wave, and a random class each
-- period. All four run natively in train.fit (no Lua per step). Prints, for the trained model,
-- the accuracy over all points and per class (counted with masks and bincount).
--
--   dynlua examples/focus_shapes.lua [steps=20000]
local steps = tonumber((arg[1] or ""):match("^steps=(%d+)$")) or 20000
local C, A, T = 3, 30, 2000
local X, y = data.spiral{ classes = C, per_class = 100, seed = 0 }

local schedules = {
  { "cross-entropy", nil },
  { "triangular", schedule.triangular{ classes = C, amplitude = A, period = T } },
  { "square", schedule.square{ classes = C, amplitude = A, period = T, duty = 0.5 } },
  { "random", schedule.random{ classes = C, amplitude = A, period = T, seed = 1 } },
}

print(string.format("%-14s %9s   %s", "schedule", "accuracy", "per class"))
for _, entry in ipairs(schedules) do
  local name, weights = entry[1], entry[2]
  tensor.seed(1)
  local model = nn.Sequential(nn.Linear(2, 30), nn.ReLU(), nn.Linear(30, C))
  train.fit{ model = model, loss = nn.CrossEntropyLoss(), optimizer = optim.SGD(model, { lr = 0.5 }),
             x = X, y = y, steps = steps, weights = weights, every = steps, progress = false }
  local correct = model:forward(X):argmax(2):eq(y)          -- 0/1 per point, of the trained model
  local right = y[correct]:bincount(C)                       -- labels of the points it gets right, counted
  local per_class = right / y:bincount(C)
  print(string.format("%-14s %9.3f   %s", name, correct:mean(),
                      table.concat({ string.format("%.3f", per_class[1]), string.format("%.3f", per_class[2]),
                                     string.format("%.3f", per_class[3]) }, " ")))
end

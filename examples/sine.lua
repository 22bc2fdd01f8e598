-- The headline example: the same small network (2-6-4, ReLU) trained on the same data with
-- plain cross-entropy and with a dynamical loss, whose class weights rise and fall in turn
-- (Ruiz-Garcia et al., ICML 2021: triangular schedule, amplitude 20, the last period plain).
-- Both losses start from the same initial weights, for several seeds, because small networks
-- differ from one initialization to the next: the table shows each seed and the mean.
-- Writes sine.svg: training curves and both decision regions for the first seed.
--
--   dynlua examples/sine.lua [steps=20000] [width=6] [seeds=4] [out=sine]
local options = sys.params{ steps = 20000, width = 6, seeds = 4, out = "sine" }

local C = 4
local X, y = data.sine{ classes = C, per_class = 150, amplitude = 0.35, frequency = 2, seed = 1 }
local Xtr, ytr, Xval, yval = data.split(X, y, { fraction = 0.25, seed = 2 })
local period = options.steps // (4 * C)

local function run(seed, dynamical)
  tensor.seed(seed)  -- the same initial network for both losses
  local model = nn.Sequential(nn.Linear(2, options.width), nn.ReLU(), nn.Linear(options.width, C))
  local weights = dynamical and schedule.triangular{ classes = C, amplitude = 20, period = period,
                                                     static_after = options.steps - period + 1 } or nil
  local h = train.fit{ model = model, loss = nn.CrossEntropyLoss(), optimizer = optim.SGD(model, { lr = 0.5 }),
                       x = Xtr, y = ytr, steps = options.steps, weights = weights, every = 10,
                       validation = { x = Xval, y = yval } }
  return model, h
end

local t0 = sys.clock()
print(string.format("%-6s %28s   %28s", "", "cross-entropy", "dynamical loss"))
print(string.format("%-6s %9s %9s %9s   %9s %9s %9s", "seed", "train acc", "val acc", "val loss", "train acc", "val acc", "val loss"))
local sums, first = { 0, 0, 0, 0, 0, 0 }, nil
for seed = 1, options.seeds do
  local pm, plain = run(seed, false)
  local dm, dyn = run(seed, true)
  -- h.final: the trained models (after the last update).
  local row = { plain.final.accuracy, plain.final.val_accuracy, plain.final.val_loss,
                dyn.final.accuracy, dyn.final.val_accuracy, dyn.final.val_loss }
  for k = 1, 6 do sums[k] = sums[k] + row[k] end
  print(string.format("%-6d %9.3f %9.3f %9.4f   %9.3f %9.3f %9.4f", seed, table.unpack(row)))
  first = first or { plain = plain, dyn = dyn, pm = pm, dm = dm }
end
for k = 1, 6 do sums[k] = sums[k] / options.seeds end
print(string.format("%-6s %9.3f %9.3f %9.4f   %9.3f %9.3f %9.4f", "mean", table.unpack(sums)))
print(string.format("(%d steps per run, %d runs in %.1f s)", options.steps, 2 * options.seeds, sys.clock() - t0))

local fig = plot.figure{ rows = 2, cols = 2, width = 1000, height = 820, sharex = false,
                         title = "Sine bands, 2-" .. options.width .. "-4 ReLU: cross-entropy vs dynamical loss (seed 1)" }
for k, run in ipairs({ { first.plain, "cross-entropy" }, { first.dyn, "dynamical" } }) do
  local h = run[1]
  fig:line(1, h.step, h.accuracy, { label = run[2] .. " (train)", color = k })
  fig:line(1, h.step, h.val_accuracy, { label = run[2] .. " (validation)", color = k, dash = true })
  fig:line(2, h.step, h.loss, { label = run[2], color = k })
end
fig:panel(1, { title = "accuracy", xlabel = "step", ylim = { 0, 1 } })
fig:panel(2, { title = "cross-entropy (unweighted)", xlabel = "step", yscale = "log" })
local box = { x = { -1.3, 1.3 }, y = { -1.3, 1.3 } }
fig:regions(3, first.pm, box):scatter(3, X, y, { size = 2.5 }):panel(3, { title = "cross-entropy", legend = false })
fig:regions(4, first.dm, box):scatter(4, X, y, { size = 2.5 }):panel(4, { title = "dynamical loss", legend = false })
fig:save(options.out .. ".svg")
print("wrote " .. options.out .. ".svg")

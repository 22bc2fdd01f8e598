-- Real data: the 8x8 handwritten digits (UCI, 1797 images, 10 classes; examples/data). A small
-- 64-16-10 network, trained on 75% of the images with plain cross-entropy and with a dynamical
-- loss (triangular schedule cycling through the ten digits), is judged on the held-out 25%.
-- Minibatches of 64, SGD with momentum. Prints validation accuracy and writes digits.svg.
--
--   dynlua examples/digits.lua [steps=6000] [width=16] [out=digits]
local options = sys.params{ steps = 6000, width = 16, out = "digits" }

local C = 10
local X, y = data.digits()
local Xtr, ytr, Xval, yval = data.split(X, y, { fraction = 0.25, seed = 1 })
local Xtr_s, mean, std = data.standardize(Xtr)
local Xval_s = data.standardize(Xval, { mean = mean, std = std })
print(string.format("digits: %d training and %d validation images", Xtr:size(1), Xval:size(1)))

local period = options.steps // (2 * C)
local runs = {
  { name = "cross-entropy" },
  { name = "dynamical", weights = schedule.triangular{ classes = C, amplitude = 10, period = period,
                                                        static_after = options.steps - period + 1 } },
}
for _, run in ipairs(runs) do
  tensor.seed(5)  -- the same initial network for both
  local model = nn.Sequential(nn.Linear(64, options.width), nn.ReLU(), nn.Linear(options.width, C))
  run.h = train.fit{ model = model, loss = nn.CrossEntropyLoss(),
                     optimizer = optim.SGD(model, { lr = 0.02, momentum = 0.9 }),
                     x = Xtr_s, y = ytr, steps = options.steps, batch_size = 64, seed = 2,
                     weights = run.weights, every = 50, validation = { x = Xval_s, y = yval } }
end

-- h.final: the trained models (after the last update), on the whole training and validation sets.
print(string.format("%-16s %12s %12s %12s", "", "train acc", "val acc", "val loss"))
for _, run in ipairs(runs) do
  local f = run.h.final
  print(string.format("%-16s %12.3f %12.3f %12.4f", run.name, f.accuracy, f.val_accuracy, f.val_loss))
end

local fig = plot.figure{ rows = 1, cols = 2, width = 1000, height = 400, sharex = false,
                         title = "Digits, 64-" .. options.width .. "-10 ReLU: validation during training" }
for k, run in ipairs(runs) do
  fig:line(1, run.h.step, run.h.val_accuracy, { label = run.name, color = k })
  fig:line(2, run.h.step, run.h.val_loss, { label = run.name, color = k })
end
fig:panel(1, { ylabel = "validation accuracy", xlabel = "step" })
fig:panel(2, { ylabel = "validation loss", xlabel = "step", yscale = "log" })
fig:save(options.out .. ".svg")
print("wrote " .. options.out .. ".svg")

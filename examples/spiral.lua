-- The paper's Fig. 4 run (Ruiz-Garcia et al., ICML 2021): three spiral arms of 100 points, a
-- 2-100-3 ReLU network in float64, full-batch gradient descent with lr = 1, and the triangular
-- dynamical loss (amplitude A = 70, period T = 5000) for 70,000 steps, the last period with
-- plain cross-entropy. Writes the metrics CSV and the stacked-panel figure (class weights,
-- loss F, F(t) - F(t-1), accuracy).
--
--   dynlua examples/spiral.lua [width=100] [A=70] [T=5000] [steps=70000] [out=spiral] [checkpoint=FILE]
--   e.g. dynlua examples/spiral.lua width=20 steps=20000
-- With checkpoint=FILE the run saves its whole state to FILE every 1000 steps; after Ctrl-C,
-- kill -9 or a crash, the same command continues from it and gives the same bits.
local options = sys.params{ width = 100, A = 70, T = 5000, steps = 70000, out = "spiral", checkpoint = "" }
if options.checkpoint == "" then options.checkpoint = false end

local C = 3
tensor.seed(0)
local X, y = data.spiral{ classes = C, per_class = 100, revolutions = 4, noise = 0.2, seed = 0 }
local model = nn.Sequential(nn.Linear(2, options.width), nn.ReLU(), nn.Linear(options.width, C))
local loss = nn.CrossEntropyLoss()
local opt = optim.SGD(model, { lr = 1 })
local weights = schedule.triangular{ classes = C, amplitude = options.A, period = options.T,
                                     static_after = options.steps - options.T + 1 }

local clock = sys.clock()
local h = train.fit{ model = model, loss = loss, optimizer = opt, x = X, y = y,
                     steps = options.steps, weights = weights, log = options.out .. ".csv",
                     checkpoint = options.checkpoint and { path = options.checkpoint, every = 1000 } or nil,
                     resume = options.checkpoint or nil }
local seconds = sys.clock() - clock

local n = #h.step
print(string.format("%d steps in %.2f s (%.0f steps/s)", options.steps, seconds, options.steps / seconds))
-- h.final: the trained model (after the last update) on the whole training set.
local per_class = {}
for c = 1, C do per_class[c] = string.format("%.3f", h.final.class_accuracy[c]) end
print(string.format("final: loss %.4f, accuracy %.3f (per class %s)", h.final.loss, h.final.accuracy,
                    table.concat(per_class, ", ")))

-- F(t) - F(t-1): how the loss moves from one step to the next; spikes mark the bifurcations.
local dF = { 0 }
for i = 2, n do dF[i] = h.loss[i] - h.loss[i - 1] end
local gamma = {}
for c = 1, C do
  gamma[c] = {}
  for i = 1, n do gamma[c][i] = h.weights[i][c] end
end

local fig = plot.figure{ rows = 4, height = 900, sharex = true,
                         title = string.format("Spiral, 2-%d-3 ReLU, A = %g, T = %g", options.width, options.A, options.T) }
for c = 1, C do fig:line(1, h.step, gamma[c], { label = "Γ" .. c }) end
fig:panel(1, { ylabel = "class weight Γᵢ" })
fig:line(2, h.step, h.loss, { label = "F (cross-entropy)" })
fig:line(2, h.step, h.weighted_loss, { label = "weighted", color = 2 })
fig:panel(2, { ylabel = "loss F", yscale = "log" })
fig:line(3, h.step, dF):panel(3, { ylabel = "F(t) - F(t-1)", yscale = "symlog", legend = false })
fig:line(4, h.step, h.accuracy):panel(4, { ylabel = "accuracy", xlabel = "step", legend = false })
fig:save(options.out .. ".svg")
print("wrote " .. options.out .. ".csv and " .. options.out .. ".svg")

-- The paper's full Fig. 4 (Ruiz-Garcia et al., ICML 2021): spiral 3 x 100, 2-100-3 ReLU in
-- float64, full-batch gradient descent with lr = η = 1, triangular dynamical loss (A = 70,
-- T = 5000, the last period plain cross-entropy), 70,000 steps. Every 25 steps it also measures
-- the three largest Hessian eigenvalues of the weighted loss (Lanczos on exact Hessian-vector
-- products) and the largest NTK eigenvalue on 50 of the points. As a class's weight rises its
-- valley narrows until λ_max crosses 2/η, where gradient descent can no longer settle and the
-- dynamics bifurcate: spikes in F(t) - F(t-1).
-- Writes the metrics CSV and one stacked-panel SVG: Γ_i, F, F(t) - F(t-1), accuracy, λ_max with
-- the 2/η line, NTK λ_max.
--
--   dynlua examples/bifurcation.lua [width=100] [A=70] [T=5000] [steps=70000] [every=25] [out=bifurcation]
local options = sys.params{ width = 100, A = 70, T = 5000, steps = 70000, every = 25, out = "bifurcation" }

local C, lr = 3, 1
tensor.seed(0)
local X, y = data.spiral{ classes = C, per_class = 100, revolutions = 4, noise = 0.2, seed = 0 }
local ntk_points = X:index(1, (function() local idx = {} for i = 1, 50 do idx[i] = 6 * i - 5 end return idx end)())
local model = nn.Sequential(nn.Linear(2, options.width), nn.ReLU(), nn.Linear(options.width, C))

local t0 = sys.clock()
local h = train.fit{
  model = model, loss = nn.CrossEntropyLoss(), optimizer = optim.SGD(model, { lr = lr }),
  x = X, y = y, steps = options.steps, log = options.out .. ".csv",
  weights = schedule.triangular{ classes = C, amplitude = options.A, period = options.T,
                                 static_after = options.steps - options.T + 1 },
  analysis = { every = options.every, hessian_top = 3, ntk_points = ntk_points },
}
local seconds = sys.clock() - t0
local n = #h.step
print(string.format("%d steps with %d Hessian and NTK measurements in %.1f s", options.steps, #h.analysis_step, seconds))
print(string.format("final: loss %.4f, accuracy %.3f, last lambda_max %.3f (2/lr = %g), last NTK max %.1f",
                    h.final.loss, h.final.accuracy, h.lambda_max[#h.lambda_max], 2 / lr, h.ntk_max[#h.ntk_max]))

local dF = { 0 }
for i = 2, n do dF[i] = h.loss[i] - h.loss[i - 1] end
local fig = plot.figure{ rows = 6, height = 1300, width = 950,
  title = string.format("Spiral, 2-%d-3 ReLU, η = %g, A = %g, T = %g", options.width, lr, options.A, options.T) }
for c = 1, C do
  local g = {}
  for i = 1, n do g[i] = h.weights[i][c] end
  fig:line(1, h.step, g, { label = "Γ" .. c })
end
fig:panel(1, { ylabel = "class weight Γᵢ" })
fig:line(2, h.step, h.loss, { label = "F" }):line(2, h.step, h.weighted_loss, { label = "weighted", color = 2 })
fig:panel(2, { ylabel = "loss F", yscale = "log" })
fig:line(3, h.step, dF):panel(3, { ylabel = "F(t) - F(t-1)", yscale = "symlog", legend = false })
fig:line(4, h.step, h.accuracy):panel(4, { ylabel = "accuracy", legend = false })
local second, third = {}, {}
for i = 1, #h.hessian_top do second[i], third[i] = h.hessian_top[i][2], h.hessian_top[i][3] end
fig:line(5, h.analysis_step, h.lambda_max, { label = "λ₁" })
fig:line(5, h.analysis_step, second, { label = "λ₂", color = 2, width = 1 })
fig:line(5, h.analysis_step, third, { label = "λ₃", color = 3, width = 1 })
fig:hline(5, 2 / lr, { label = "2/η" })
fig:panel(5, { ylabel = "Hessian λ", yscale = "log" })
fig:line(6, h.analysis_step, h.ntk_max):panel(6, { ylabel = "NTK λ_max", xlabel = "step", yscale = "log", legend = false })
fig:save(options.out .. ".svg")
print("wrote " .. options.out .. ".csv and " .. options.out .. ".svg")

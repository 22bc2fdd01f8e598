-- Dynamical losses beyond the weighted cross-entropy, written in Lua as nn.Loss and trained with
-- train.fit (the follow-up study, Lavin & Ruiz-Garcia, arXiv 2410.10690, makes both the
-- cross-entropy and the MSE dynamical in more than one way). The spiral, a 2-width-3 ReLU
-- network, full-batch gradient descent and the triangular class weights w (a C-vector, changing
-- with the step) are the same for every variant; only the loss differs. With output o_n (logits),
-- label y_n, p_n = softmax(o_n), e_n = o_n - onehot(y_n), and the mean over the N samples:
--
--   (a) ce         built-in CrossEntropyLoss:     L = mean_n w[y_n] * (-log p_n[y_n])
--   (b) ce_lua     the same written as nn.Loss    (the same numbers, to rounding)
--   (c) mse_label  MSE, class weight per sample by its label:  L = mean_n w[y_n] * sum_c e_nc^2
--   (d) mse_comp   MSE, class weights per output component:    L = mean_n sum_c w[c] * e_nc^2
--   (e) focal      focal loss with class weights: per-sample weights that grow with the sample's
--                  current error, L = mean_n w[y_n] * (1 - p_n[y_n])^gamma * (-log p_n[y_n])
--
-- Each variant trains from the same initial weights for every seed (seeds change the
-- initialization); the table gives the mean and spread of the final accuracy (h.final: after the
-- last update, on all points), and the figure the mean accuracy along training.
--
--   dynlua examples/losses.lua [seeds=3] [steps=3000] [width=50] [A=20] [T=1000] [lr=0.2] [gamma=2] [out=losses]
local options = sys.params{ seeds = 3, steps = 3000, width = 50, A = 20.0, T = 1000, lr = 0.2, gamma = 2.0, out = "losses" }
local C = 3
local X, y = data.spiral{ classes = C, per_class = 100, revolutions = 2, noise = 0.2, seed = 0 }

local function ce(o, labels, w)
  local logp = o:log_softmax(2):gather(2, labels:view(-1, 1)):view(-1)  -- log p_n[y_n]
  return -(logp * w:index(1, labels)):mean()
end

local function squaredErrors(o, labels)
  return (o - tensor.onehot(labels, C)) ^ 2  -- (N, C)
end

local variants = {
  { name = "ce", loss = function() return nn.CrossEntropyLoss() end },
  { name = "ce_lua", loss = function() return nn.Loss(ce, { name = "WeightedCE" }) end },
  { name = "mse_label", loss = function()
      return nn.Loss(function(o, labels, w) return (squaredErrors(o, labels):sum(2) * w:index(1, labels)):mean() end,
                     { name = "MSEByLabel" })
    end },
  { name = "mse_comp", loss = function()
      return nn.Loss(function(o, labels, w) return (squaredErrors(o, labels) * w:view(1, C)):sum(2):mean() end,
                     { name = "MSEByComponent" })
    end },
  { name = "focal", loss = function()
      return nn.Loss(function(o, labels, w)
        local logp = o:log_softmax(2):gather(2, labels:view(-1, 1)):view(-1)
        local grow = (1 - logp:exp()) ^ options.gamma  -- larger for samples still misclassified
        return -(grow * logp * w:index(1, labels)):mean()
      end, { name = "Focal" })
    end },
}

local every = math.max(1, options.steps // 200)
local results, curves = {}, {}
local clock = sys.clock()
for _, v in ipairs(variants) do
  local accuracies, sum = {}, nil
  for seed = 1, options.seeds do
    tensor.seed(seed)
    local model = nn.Sequential(nn.Linear(2, options.width), nn.ReLU(), nn.Linear(options.width, C))
    local h = train.fit{ model = model, loss = v.loss(), optimizer = optim.SGD(model, { lr = options.lr }), x = X, y = y,
                         steps = options.steps, every = every, progress = false,
                         weights = schedule.triangular{ classes = C, amplitude = options.A, period = options.T } }
    accuracies[seed] = h.final.accuracy
    sum = sum or {}
    for i, a in ipairs(h.accuracy) do sum[i] = (sum[i] or 0) + a / options.seeds end
    curves.step = h.step
  end
  local mean = 0
  for _, a in ipairs(accuracies) do mean = mean + a / #accuracies end
  local spread = 0
  for _, a in ipairs(accuracies) do spread = spread + (a - mean) ^ 2 / #accuracies end
  results[#results + 1] = { name = v.name, mean = mean, std = math.sqrt(spread), accuracies = accuracies }
  curves[v.name] = sum
end
local seconds = sys.clock() - clock

print(string.format("spiral, 2-%d-3 ReLU, %d steps, lr = %g, triangular weights A = %g, T = %d; %d seeds; %.1f s",
                    options.width, options.steps, options.lr, options.A, options.T, options.seeds, seconds))
print(string.format("%-10s %14s %8s   %s", "loss", "final accuracy", "std", "per seed"))
for _, r in ipairs(results) do
  local each = {}
  for k, a in ipairs(r.accuracies) do each[k] = string.format("%.3f", a) end
  print(string.format("%-10s %14.3f %8.3f   %s", r.name, r.mean, r.std, table.concat(each, " ")))
end
-- (a) and (b) compute the same loss: their runs agree (the Lua version sums in another order).
assert(math.abs(results[1].mean - results[2].mean) < 1e-9, "built-in and nn.Loss cross-entropy disagree")

local fig = plot.figure{ width = 760, title = string.format("Spiral, mean of %d seeds, A = %g, T = %d", options.seeds, options.A, options.T) }
for k, v in ipairs(variants) do
  fig:line(1, curves.step, curves[v.name], { label = v.name, dash = v.name == "ce_lua", color = k })
end
fig:panel(1, { xlabel = "step", ylabel = "training accuracy", ylim = { 0, 1 } })
fig:save(options.out .. ".svg")
print("wrote " .. options.out .. ".svg")
return { ce = results[1].mean, ce_lua = results[2].mean, mse_label = results[3].mean,
         mse_comp = results[4].mean, focal = results[5].mean }

-- Benchmark workload: the paper's Fig. 4 step (spiral 3 x 100, 2-100-3 ReLU, float64, full-batch
-- GD lr = 1, triangular weights A = 70, T = 5000) with loss, weighted loss, accuracy and weights
-- recorded at every step.   dynlua fig4.lua STEPS MODE   (MODE: builtin | lua | nnloss)
-- nnloss: the built-in schedule with the weighted cross-entropy written in Lua as an nn.Loss.
local steps = tonumber(arg[1]) or 20000
local mode = arg[2] or "builtin"
local C, T, A = 3, 5000, 70
tensor.seed(0)
local X, y = data.spiral{ classes = C, per_class = 100, revolutions = 4, noise = 0.2, seed = 0 }
local model = nn.Sequential(nn.Linear(2, 100), nn.ReLU(), nn.Linear(100, C))
local opt = optim.SGD(model, { lr = 1 })
local weights
if mode == "builtin" or mode == "nnloss" then
  weights = schedule.triangular{ classes = C, amplitude = A, period = T }
else
  -- The same schedule written in Lua, returning a fresh table each step, with the paper's
  -- arithmetic (raw weight, then w / sum(w) * C), so both modes train the same trajectory.
  local s = 2 * (A - 1) / T
  weights = function(step)
    local tau, k = (step - 1) % T, ((step - 1) // T) % C
    local w = { 1, 1, 1 }
    w[k + 1] = tau < T / 2 and 1 + tau * s or 2 * A - tau * s - 1
    local sum = 0
    for c = 1, C do sum = sum + w[c] end
    for c = 1, C do w[c] = w[c] / sum * C end
    return w
  end
end
local loss = nn.CrossEntropyLoss()
if mode == "nnloss" then
  -- (1/N) sum_n w[y_n] * (-log softmax(output_n)[y_n])
  loss = nn.Loss(function(output, labels, w)
    local picked = output:log_softmax(2):gather(2, labels:view(-1, 1)):view(-1)
    return -(picked * w:index(1, labels)):mean()
  end, { name = "WeightedCE" })
end
local t0 = sys.clock()
local h = train.fit{ model = model, loss = loss, optimizer = opt, x = X, y = y,
                     steps = steps, weights = weights, progress = false }
local dt = sys.clock() - t0
print(string.format("dynlua fig4 mode=%s steps=%d seconds=%.3f steps_per_s=%.1f loss=%.17g acc=%.4f",
                    mode, steps, dt, steps / dt, h.loss[#h.loss], h.accuracy[#h.accuracy]))

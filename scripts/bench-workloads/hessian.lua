-- Benchmark: the cost of one analysis.hessian_top{k = 3} (cold start, stopping at 1e-7
-- relative residual) on the Fig. 4 model, as a multiple of one training step, measured on a
-- model trained for 10,000 steps of the Fig. 4 run.   dynlua hessian.lua [REPS]
local reps = tonumber(arg[1]) or 50
tensor.seed(0)
local X, y = data.spiral{ classes = 3, per_class = 100, seed = 0 }
local model = nn.Sequential(nn.Linear(2, 100), nn.ReLU(), nn.Linear(100, 3))
local loss = nn.CrossEntropyLoss()
local sched = schedule.triangular{ classes = 3, amplitude = 70, period = 5000 }
local function fit(n)
  return train.fit{ model = model, loss = loss, optimizer = optim.SGD(model, { lr = 1 }), x = X, y = y,
                    steps = n, weights = sched, progress = false }
end
local t0 = sys.clock(); fit(10000); local step = (sys.clock() - t0) / 10000
loss:set_weights(sched(10001))
local top
t0 = sys.clock()
for _ = 1, reps do top = analysis.hessian_top(model, loss, X, y, { k = 3 }) end
local hess = (sys.clock() - t0) / reps
print(string.format("dynlua hessian_top k=3: ms_per_call=%.3f us_per_step=%.2f steps_per_call=%.1f lambda=%.4f,%.4f,%.4f",
                    hess * 1e3, step * 1e6, hess / step, top[1], top[2], top[3]))

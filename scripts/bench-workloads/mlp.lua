-- Benchmark workload: 784-1024-1024-10 ReLU MLP, float32, minibatches of 256, class-weighted
-- cross-entropy, SGD lr = 0.01, random data (as ../shared/bench/mlp_torch.py).
--   dynlua mlp.lua STEPS
local steps = tonumber(arg[1]) or 100
tensor.seed(0)
local X = tensor.randn(256 * 8, 784, "float32")
local y = (tensor.rand(256 * 8) * 10):clamp(0, 9.999):add_(1)
local labels = {}
for i = 1, 256 * 8 do labels[i] = math.floor(y[i]) end
local model = nn.Sequential(nn.Linear(784, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, 10))
model:to("float32")
local opt = optim.SGD(model, { lr = 0.01 })
local loss = nn.CrossEntropyLoss{ weights = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 } }
local function run(n)
  return train.fit{ model = model, loss = loss, optimizer = opt, x = X, y = labels, steps = n,
                    batch_size = 256, shuffle = false, every = n, progress = false }
end
run(10)
local t0 = sys.clock()
local h = run(steps)
local dt = sys.clock() - t0
print(string.format("dynlua mlp steps=%d samples_per_s=%.0f ms_per_step=%.2f loss=%.4f",
                    steps, steps * 256 / dt, dt / steps * 1e3, h.loss[#h.loss]))

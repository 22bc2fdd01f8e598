-- Benchmark workload: the Myrtle-style CNN of ../shared/bench/cnn_torch.py (conv 3x3 of width C,
-- ReLU, average pools, linear head), float32, minibatches of 128 taken in order from the first
-- 4,096 Fashion-MNIST training images, class-weighted cross-entropy, SGD lr 0.05, momentum 0.9.
--   dynlua cnn.lua STEPS [threads] [width]
local steps = tonumber(arg[1]) or 50
local threads = tonumber(arg[2]) or 1
local c = tonumber(arg[3]) or 32
sys.threads(threads)
tensor.seed(0)
local X, labels = data.fashion_mnist{ split = "train", n = 4096 }
local model = nn.Sequential(
  nn.Conv2d(1, c, 3, { padding = 1 }), nn.ReLU(), nn.Conv2d(c, c, 3, { padding = 1 }), nn.ReLU(), nn.AvgPool2d(2),
  nn.Conv2d(c, c, 3, { padding = 1 }), nn.ReLU(), nn.AvgPool2d(2),
  nn.Conv2d(c, c, 3, { padding = 1 }), nn.ReLU(), nn.AvgPool2d(7), nn.Flatten(), nn.Linear(c, 10))
model:to("float32")
local opt = optim.SGD(model, { lr = 0.05, momentum = 0.9 })
local loss = nn.CrossEntropyLoss{ weights = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 } }
-- The loop cnn_torch.py runs (zero_grad, forward, loss, backward, step on the next 128 images),
-- written out: train.fit would add its final pass over all 4,096 images to the timed run.
local B = 128
local batches = {}
for b = 0, 4096 // B - 1 do
  local yb = {}
  for i = 1, B do yb[i] = labels[b * B + i] end
  batches[#batches + 1] = { x = X:narrow(1, b * B + 1, B), y = tensor.new(yb) }
end
local function step(i)
  local b = batches[i % #batches + 1]
  opt:zero_grad()
  local out = model:forward(b.x)
  local l = loss:forward(out, b.y)
  model:backward(b.x, loss:backward(out, b.y))
  opt:step()
  return l
end
for i = 0, 2 do step(i) end
local l
local t0 = sys.clock()
for i = 0, steps - 1 do l = step(i) end
local dt = sys.clock() - t0
print(string.format("dynlua cnn width=%d steps=%d samples_per_s=%.0f ms_per_step=%.1f threads=%d loss=%.4f",
                    c, steps, steps * B / dt, dt / steps * 1e3, sys.threads(), l))

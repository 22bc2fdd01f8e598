-- sys.threads([n]): the thread pool of the convolution and pooling layers, and its guarantee
-- that their results are the same bits on any number of threads.
local check = require("check")

local cores = sys.threads()
check.eq(math.type(cores), "integer", "sys.threads() is an integer")
check.eq(cores >= 1, true, "at least one thread")
check.eq(sys.threads(1), 1, "sys.threads(1)")
check.eq(sys.threads(), 1, "the count stays set")
check.eq(sys.threads(100000), cores, "reduced to the cores")
check.raises("thread count must be >= 1, got 0", sys.threads, 0)
check.raises("number expected", sys.threads, "two")
check.eq(sys.threads(), cores, "unchanged by the errors")

-- A small CNN's output, input gradient and parameter gradients on 1 and on all threads.
tensor.seed(5)
local net = nn.Sequential(nn.Conv2d(3, 6, 3, { padding = 1 }), nn.ReLU(), nn.AvgPool2d(2),
                          nn.Conv2d(6, 4, 3, { stride = 2 }), nn.MaxPool2d(2), nn.Flatten())
net:to("float32")
local x = tensor.randn(40, 3, 20, 20, "float32")
local function step()
  net:zero_grad()
  local y = net:forward(x):clone()
  local gx = net:backward(x, tensor.ones(y:shape(), "float32")):clone()
  local out = { y, gx }
  for _, g in ipairs(net:gradients()) do out[#out + 1] = g:clone() end
  return out
end
sys.threads(1)
local one = step()
sys.threads(cores)
local all = step()
for i = 1, #one do
  check.eq((one[i] - all[i]):abs():max(), 0, "tensor " .. i .. " the same on 1 and " .. cores .. " threads")
end

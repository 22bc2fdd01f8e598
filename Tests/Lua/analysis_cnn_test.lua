-- The analysis module on convolutional networks (Conv2d, BatchNorm2d in both modes, pooling,
-- Dropout, Flatten, GlobalAvgPool2d): the exact Hessian against central differences of the
-- gradients the modules compute, Lanczos against the full spectrum, the NTK against J Jᵀ from
-- finite differences, the Hessian by differences against the exact one, and the model's state
-- left as it was.
local check = require "check"

local function rel(a, b) return (a - b):abs():max() / math.max(b:abs():max(), 1e-300) end

tensor.seed(21)
local X = tensor.randn(4, 1, 5, 5)
local y = tensor.new{ 1, 2, 3, 2 }
local loss = nn.CrossEntropyLoss{ weights = { 2, 0.5, 1 } }

-- head() returns the layer from (N, 3, 3, 3) to features and their count.
local function cnn(head)
  local h, features = head()
  return nn.Sequential(nn.Conv2d(1, 2, 2), nn.BatchNorm2d(2), nn.Tanh(), nn.MaxPool2d(2), nn.Dropout(0.5),
                       nn.Conv2d(2, 3, 2, { padding = 1 }), nn.Sigmoid(), h, nn.Linear(features, 3))
end
local heads = {
  Flatten = function() return nn.Flatten(), 27 end,
  GlobalAvgPool2d = function() return nn.GlobalAvgPool2d(), 3 end,
}

-- Gradient at flat parameters p, with the model's Dropout (layer 5) off: the analysis measures
-- the evaluation-mode network; BatchNorm2d keeps its mode.
local function gradient_at(m, p, X, y)
  m:set_flat_parameters(p)
  m:zero_grad()
  local out = m:forward(X)
  m:backward(X, loss:backward(out, y))
  return m:flat_gradients()
end

local function fd_hessian(m, X, y)
  local theta, P, h = m:flat_parameters(), m:num_parameters(), 1e-5
  local H = tensor.zeros(P, P)
  m:get(5):evaluate()
  for j = 1, P do
    local e = tensor.zeros(P); e[j] = h
    H:select(2, j):copy_((gradient_at(m, theta + e, X, y) - gradient_at(m, theta - e, X, y)) / (2 * h))
  end
  m:get(5):train()
  m:set_flat_parameters(theta)
  return H
end

for name, head in pairs(heads) do
  for _, mode in ipairs{ "train", "evaluate" } do
    local what = name .. " head, BatchNorm2d in " .. mode .. " mode"
    tensor.seed(22)
    local m = cnn(head)
    m:get(2).weight:copy_(tensor.new{ 1.3, -0.7 }); m:get(2).bias:copy_(tensor.new{ 0.2, -0.1 })
    m:forward(X)  -- running statistics away from (0, 1)
    if mode == "evaluate" then m:evaluate() end
    local H = analysis.hessian(m, loss, X, y)
    local want = fd_hessian(m, X, y)
    local e = rel(H, want)
    if os.getenv("SHOW") then print(what, e) end
    if e > 1e-6 then error(what .. ": Hessian relative error " .. e) end
    local P = m:num_parameters()
    local v = tensor.randn(P)
    check.near(rel(analysis.hvp(m, loss, X, y, v), H:matmul(v)), 0, 1e-12, what .. ": hvp is H v")
    local exact = analysis.eigenvalues(H)
    local top = analysis.hessian_top(m, loss, X, y, { k = 3 })
    for i = 1, 3 do check.near(top[i], exact[i], 1e-7, what .. ": Lanczos eigenvalue " .. i) end
  end
end

-- Strides, no bias, overlapping pools, a softmax output: the exact Hessian against differences
-- (Dropout at layer 5 again, off in the differences), and the spectral density on images.
do
  tensor.seed(25)
  local Xs = tensor.randn(3, 2, 7, 7)
  local m = nn.Sequential(nn.Conv2d(2, 3, { 3, 2 }, { stride = { 2, 1 }, bias = false, padding = { 1, 0 } }), nn.Sigmoid(),
                          nn.AvgPool2d(2, 1), nn.MaxPool2d(2, 1), nn.Dropout(0.1), nn.BatchNorm2d(3),
                          nn.Flatten(), nn.Linear(3 * 2 * 4, 3), nn.LogSoftmax())
  local ys = y:narrow(1, 1, 3)
  local e = rel(analysis.hessian(m, loss, Xs, ys), fd_hessian(m, Xs, ys))
  if e > 1e-6 then error("strided CNN: Hessian relative error " .. e) end
  local grid, density = analysis.spectral_density(m, loss, Xs, ys, { iters = 30, starts = 2, grid = 300 })
  check.near(density:sum() * (grid[2] - grid[1]), 1, 1e-6, "spectral density on images integrates to 1")
end

-- The analysis leaves the model as it was: running statistics, dropout passes, gradients.
tensor.seed(23)
local m = cnn(heads.GlobalAvgPool2d)
m:forward(X)
local path = os.tmpname()
m:save(path)
local twin = nn.load(path)
os.remove(path)
m:zero_grad(); twin:zero_grad()
analysis.hessian_top(m, loss, X, y, { k = 2 })
analysis.hessian_top(m, loss, X, y, { k = 2, method = "differences" })
m:evaluate(); analysis.ntk(m, X:narrow(1, 1, 2)); m:train()
check.tensor(m:get(2).running_mean, twin:get(2).running_mean, 0, "running mean untouched")
check.tensor(m:forward(X), twin:forward(X), 0, "next training-mode forward as without analysis (same dropout mask)")
check.tensor(m:flat_gradients(), tensor.zeros(m:num_parameters()), 0, "gradients untouched")

-- Hessian-vector products by differences of exact gradients (the generic method for custom
-- layers and losses), forced on a smooth CNN: against the exact operator.
tensor.seed(24)
local smooth = nn.Sequential(nn.Conv2d(1, 2, 2), nn.BatchNorm2d(2), nn.Tanh(), nn.AvgPool2d(2),
                             nn.Conv2d(2, 3, 2), nn.Flatten(), nn.Linear(3, 3))
local top_exact = analysis.hessian_top(smooth, loss, X, y, { k = 3, method = "exact" })
local top_fd = analysis.hessian_top(smooth, loss, X, y, { k = 3, method = "differences" })
for i = 1, 3 do check.near(top_fd[i], top_exact[i], 1e-7, "differences: eigenvalue " .. i) end
local P = smooth:num_parameters()
local v = tensor.randn(P)
local hv = analysis.hvp(smooth, loss, X, y, v, { method = "exact" })
check.near(rel(analysis.hvp(smooth, loss, X, y, v, { method = "differences" }), hv), 0, 1e-7, "differences: H v")
-- The raw columns by differences (without the symmetrization of analysis.hessian) are symmetric.
local cols = tensor.zeros(P, P)
for j = 1, P do
  local e = tensor.zeros(P); e[j] = 1
  cols:select(2, j):copy_(analysis.hvp(smooth, loss, X, y, e, { method = "differences" }))
end
check.near(rel(cols, cols:t()), 0, 1e-7, "differences: Hessian symmetric")
check.near(rel(analysis.hessian(smooth, loss, X, y, { method = "differences" }),
               analysis.hessian(smooth, loss, X, y)), 0, 1e-7, "differences: full Hessian")

-- NTK of a CNN (BatchNorm2d in evaluate mode): J Jᵀ with J from central differences of the
-- outputs, rows (n-1)*C + c.
smooth:evaluate()
local pts = X:narrow(1, 1, 3)
local K = analysis.ntk(smooth, pts)
local theta = smooth:flat_parameters()
local J = tensor.zeros(9, P)
for j = 1, P do
  local e = tensor.zeros(P); e[j] = 1e-6
  smooth:set_flat_parameters(theta + e); local up = smooth:forward(pts):clone()
  smooth:set_flat_parameters(theta - e); local down = smooth:forward(pts):clone()
  J:select(2, j):copy_(((up - down) / 2e-6):reshape(9))
end
smooth:set_flat_parameters(theta)
check.near(rel(K, J:matmul(J:t())), 0, 1e-7, "NTK is J Jᵀ")
local ev = analysis.ntk_eigenvalues(smooth, pts)
check.near(ev[1], analysis.eigenvalues(K)[1], 1e-10, "ntk_eigenvalues")

-- Errors.
smooth:train()
check.raises("ntk: BatchNorm2d(2) is in training mode: its output depends on the whole batch (call m:evaluate() first)",
             analysis.ntk, smooth, pts)
check.raises("hessian_top: option 'method' must be \"auto\", \"exact\" or \"differences\", got 'fast'",
             analysis.hessian_top, smooth, loss, X, y, { method = "fast" })
check.raises("unknown option", analysis.hvp, smooth, loss, X, y, v, { step = 1 })
check.raises("MSELoss: expected a 2-D output (rows are samples, columns classes), got shape (4x3x1x1)",
             analysis.hvp, nn.Sequential(nn.Conv2d(1, 3, 5)), nn.MSELoss(), X, y, tensor.zeros(78))

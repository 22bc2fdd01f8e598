-- The analysis module from Lua: exact Hessian-vector products against finite differences of
-- the gradients the modules compute, the full Hessian against them and against Lanczos, and
-- the NTK against J Jᵀ from finite-difference Jacobians.
local check = require "check"

tensor.seed(3)
local X = tensor.randn(12, 2)
local y = tensor.new({1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3})
local model = nn.Sequential(nn.Linear(2, 6), nn.Tanh(), nn.Linear(6, 3))
local loss = nn.CrossEntropyLoss{ weights = {2, 0.5, 1} }
local P = model:num_parameters()
local theta = model:flat_parameters()

local function gradient_at(p)
  model:set_flat_parameters(p)
  local out = model:forward(X)
  local g = loss:backward(out, y)
  model:zero_grad()
  model:backward(X, g)
  return model:flat_gradients()
end

-- Hv against central differences of exact gradients.
local v = tensor.randn(P)
local hv = analysis.hvp(model, loss, X, y, v)
local eps = 1e-5
local fd = (gradient_at(theta + v * eps) - gradient_at(theta - v * eps)) / (2 * eps)
model:set_flat_parameters(theta)
check.near((hv - fd):abs():max() / fd:abs():max(), 0, 1e-6, "relative error of Hv")

-- The full Hessian: symmetric, H v equals hvp, its top eigenvalues equal Lanczos's.
local H = analysis.hessian(model, loss, X, y)
check.eq(H:size(1), P, "Hessian rows")
check.tensor(H, H:t(), 0, "Hessian symmetry")
check.tensor(H:matmul(v), hv, 1e-12, "H v")
local exact = analysis.eigenvalues(H)
local top = analysis.hessian_top(model, loss, X, y, { k = 3 })
for i = 1, 3 do check.near(top[i], exact[i], 1e-6, "Lanczos eigenvalue " .. i) end
local low = analysis.hessian_top(model, loss, X, y, { k = 1, smallest = true })
check.near(low[1], exact[P], 1e-6, "smallest eigenvalue")

-- Spectral density: a probability density over the spectrum.
local grid, density = analysis.spectral_density(model, loss, X, y, { iters = P, starts = 2, grid = 400 })
local h = grid[2] - grid[1]
check.near(density:sum() * h, 1, 1e-6, "density integrates to 1")
assert(grid[1] < exact[P] and grid[400] > exact[1], "grid covers the spectrum")

-- NTK: against J Jᵀ with J from central differences of the outputs; row (n-1)*C + c.
local pts = X:narrow(1, 1, 4)
local K = analysis.ntk(model, pts)
check.eq(K:size(1), 4 * 3, "NTK size")
local J = tensor.zeros(12, P)
for j = 1, P do
  local e = tensor.zeros(P); e[j] = 1e-6
  model:set_flat_parameters(theta + e)
  local up = model:forward(pts):clone()
  model:set_flat_parameters(theta - e)
  local down = model:forward(pts):clone()
  local col = ((up - down) / 2e-6):reshape(12)
  for r = 1, 12 do J:set(col[r], r, j) end
end
model:set_flat_parameters(theta)
check.tensor(K, J:matmul(J:t()), 1e-7, "NTK against finite-difference J Jᵀ")
-- trace = sum over (n, c) of the squared gradient norm of output c of sample n
local trace = 0
for n = 1, 4 do
  for c = 1, 3 do
    local seed = tensor.zeros(1, 3); seed:set(1, 1, c)
    model:forward(pts:narrow(1, n, 1)); model:zero_grad(); model:backward(pts:narrow(1, n, 1), seed)
    local g = model:flat_gradients(); trace = trace + g:dot(g)
  end
end
local diag = 0
for i = 1, 12 do diag = diag + K:get(i, i) end
check.near(diag, trace, 1e-12, "NTK trace")
local ev = analysis.ntk_eigenvalues(model, pts)
check.near(ev:sum(), trace, 1e-10, "sum of NTK eigenvalues")
assert(ev[1] >= ev[2], "descending")

check.raises("direction has 5 values", analysis.hvp, model, loss, X, y, tensor.zeros(5))
check.raises("module expected", analysis.hessian, 3, loss, X, y)
check.raises("unknown option 'kk'", analysis.hessian_top, model, loss, X, y, { kk = 2 })

local check = require "check"
-- Enable (rename to optim_lua_test.lua) once nn is merged. A Linear(2 -> 1) layer whose
-- gradients are set by hand; expected values by hand from the update rules in docs/api/optim.md.
local function model(w, b)
  local m = nn.Linear(2, 1)
  local p = m:parameters()
  p[1]:copy_(tensor.new(w)); p[2]:copy_(tensor.new(b))
  return m, p, m:gradients()
end

-- Plain SGD: p = p - lr * g.
local m, p, g = model({{1}, {2}}, {0.5})
local opt = optim.SGD(m, {lr=0.1})
g[1]:copy_(tensor.new({{1}, {-1}})); g[2]:fill_(2)
opt:step()
check.tensor(p[1], {{0.9}, {2.1}}, 1e-15, "sgd weight")
check.tensor(p[2], {0.3}, 1e-15, "sgd bias")
opt:zero_grad()
check.tensor(g[1], {{0}, {0}}, 0, "zero_grad")
check.eq(opt.lr, 0.1, "lr readable")
opt.lr = 0.5
check.eq(opt.lr, 0.5, "lr writable")
g[2]:fill_(1)
opt:step()
check.tensor(p[2], {-0.2}, 1e-15, "new lr used")
check.eq(opt.steps, 2, "steps")
check.eq(opt.momentum, 0, "momentum readable")
check.raises("field 'momentum' is read-only", function() opt.momentum = 0.9 end)
check.raises("no field 'lrr'", function() opt.lrr = 0.9 end)
check.raises("lr must be a finite number >= 0", function() opt.lr = -1 end)

-- Momentum 0.9, two steps with gradient 1 on the bias: buf = 1 then 1.9;
-- b = 0.5 - 0.1 = 0.4, then 0.4 - 0.19 = 0.21.
m, p, g = model({{0}, {0}}, {0.5})
opt = optim.SGD(m, {lr=0.1, momentum=0.9})
g[2]:fill_(1); opt:step(); opt:step()
check.tensor(p[2], {0.21}, 1e-15, "momentum")
-- Nesterov: step 1 g + 0.9*buf = 1.9, step 2 1 + 0.9*1.9 = 2.71: b = 0.5 - 0.19 - 0.271 = 0.039.
m, p, g = model({{0}, {0}}, {0.5})
opt = optim.SGD(m, {lr=0.1, momentum=0.9, nesterov=true})
g[2]:fill_(1); opt:step(); opt:step()
check.tensor(p[2], {0.039}, 1e-15, "nesterov")

-- Adam, one step: the bias-corrected update is lr * g / (|g| + eps) = lr * sign(g).
m, p, g = model({{1}, {1}}, {0})
opt = optim.Adam(m, {lr=0.01, eps=0})
g[1]:copy_(tensor.new({{3}, {-0.5}})); g[2]:fill_(0.25)
opt:step()
check.tensor(p[1], {{0.99}, {1.01}}, 1e-15, "adam step 1")
check.tensor(p[2], {-0.01}, 1e-15, "adam bias step 1")
check.eq(opt.betas[1], 0.9, "betas")
check.eq(opt.eps, 0, "eps")

check.raises("option 'lr' is required", optim.SGD, m, {momentum=0.9})
check.raises("unknown option 'beta'", optim.Adam, m, {beta=0.9})
check.raises("option 'betas' must be a table of two numbers", optim.Adam, m, {betas={0.9}})
check.raises("betas[1] must be in [0, 1)", optim.Adam, m, {betas={1, 0.9}})
check.raises("nesterov momentum requires momentum > 0", optim.SGD, m, {lr=0.1, nesterov=true})

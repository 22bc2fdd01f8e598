local check = require "check"

-- Built-in modules and losses called inside f: one tape node each, through their own backward.
tensor.seed(5)
local X, y = data.spiral{ classes = 3, per_class = 4, seed = 2 }
local model = nn.Sequential(nn.Linear(2, 5), nn.Tanh(), nn.Linear(5, 3))
local ce = nn.CrossEntropyLoss{ weights = { 1, 2, 0.5 } }

-- Reference: the built-in backward path, by hand.
model:zero_grad()
local out = model:forward(X)
local dout = ce:backward(out, y)
local dX = model:backward(X, dout)
local reference = {}
for k, g in ipairs(model:gradients()) do reference[k] = g:clone() end
local referenceLoss = ce:forward(out, y)
-- Something in the gradient buffers, to see that autograd leaves it alone.
for _, g in ipairs(model:gradients()) do g:fill_(0.25) end

local f = function(params, x) return ce:forward(model:forward(x), y) end
local grads, value = autograd.grad(f)(model:parameters(), X)
check.near(value, referenceLoss, 1e-15, "loss value through the tape")
for k, g in ipairs(grads) do check.tensor(g, reference[k], 1e-15, "parameter gradient " .. k) end
for k, g in ipairs(model:gradients()) do check.tensor(g, tensor.full(g:shape(), 0.25), 0, "gradient buffer " .. k .. " untouched") end

-- With respect to the input: the same as the module's backward.
local gx = autograd.grad(f, { argnum = 2 })(model:parameters(), X)
check.tensor(gx, dX, 1e-15, "input gradient")

-- Mixed with Lua arithmetic on both sides, against central differences.
local function numeric(fn, x, h)
  h = h or 1e-6
  local g, flat = tensor.zeros(x:shape()), x:view(-1)
  for i = 1, x:numel() do
    local v = flat[i]
    flat[i] = v + h; local up = fn()
    flat[i] = v - h; local down = fn()
    flat[i] = v
    g:view(-1)[i] = (up - down) / (2 * h)
  end
  return g
end
local lin = nn.Linear(2, 3)
local scale = tensor.new{ 1, -2, 0.5 }
local mixed = function(x) return ((lin:forward(x * x) * scale):softmax(2) ^ 2):sum() + ce:forward(lin:forward(x), y) end
local gmixed = autograd.grad(mixed)(X)
local plain = function() local v = mixed(X); return tensor.is_tensor(v) and v:item() or v end
check.tensor(gmixed, numeric(plain, X), 1e-6, "module called twice, on different inputs, with arithmetic around")

-- One parameter alone as the argument.
local gw = autograd.grad(function(w) return (lin:forward(X) ^ 2):sum() end)(lin.weight)
check.tensor(gw, numeric(function() return (lin:forward(X) ^ 2):sum() end, lin.weight), 1e-6, "weight alone")

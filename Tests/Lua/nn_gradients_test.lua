-- Gradients through the Lua bindings against central finite differences (float64): a model
-- and each loss, weighted, for parameters and inputs. Relative error <= 1e-6.
local check = require "check"

local rel_error, numeric = check.rel_error, check.numeric_gradient

tensor.seed(3)
local x = tensor.randn(6, 3)
local y = {1, 3, 2, 2, 1, 3}
local models = {
  nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 4, {bias = false}), nn.Sigmoid(), nn.Linear(4, 3)),
  nn.Sequential(nn.Linear(3, 4, {init = "he_normal"}), nn.ReLU(), nn.Linear(4, 3), nn.Identity()),
  nn.Sequential(nn.Linear(3, 3), nn.Softmax(), nn.Linear(3, 3), nn.LogSoftmax()),
}
local losses = {
  nn.CrossEntropyLoss(), nn.CrossEntropyLoss{weights = {0.3, 2, 1.7}},
  nn.MSELoss(), nn.MSELoss{weights = tensor.new({2.5, 0.5, 1})},
}

for mi, m in ipairs(models) do
  for li, loss in ipairs(losses) do
    local what = "model " .. mi .. ", " .. tostring(loss)
    -- Analytic: backward of the loss, then of the model (accumulating into zeroed gradients).
    m:zero_grad()
    local out = m:forward(x)
    local gx = m:backward(x, loss:backward(out, y))
    local analytic = m:flat_gradients()
    local f = function() return loss:forward(m:forward(x), y) end
    local params = m:flat_parameters()
    local fd = numeric(f, params, function(v) m:set_flat_parameters(v) end)
    local e = rel_error(analytic, fd)
    if e > 1e-6 then error(what .. ": parameter gradient relative error " .. e) end
    -- Input gradient.
    local xv = x:view(x:numel())
    local fdx = numeric(f, xv, function() end)
    local ex = rel_error(gx:reshape(x:numel()), fdx)
    if ex > 1e-6 then error(what .. ": input gradient relative error " .. ex) end
  end
end

-- The loss gradient alone, on logits, including a sample far from the others.
local z = tensor.new({{2, -1, 0.5}, {30, 0, -30}, {0, 0, 0}})
for _, loss in ipairs(losses) do
  local g = loss:backward(z, {2, 1, 3})
  local fd = numeric(function() return loss:forward(z, {2, 1, 3}) end, z:view(9), function() end)
  check.near(rel_error(g:reshape(9), fd), 0, 1e-6, tostring(loss) .. " gradient")
end

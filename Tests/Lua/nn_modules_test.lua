-- nn modules from Lua: construction, printing, parameters as shared views, flat vectors,
-- dtype conversion, modes, containers and argument errors.
local check = require "check"

tensor.seed(7)
local m = nn.Sequential(nn.Linear(2, 100), nn.ReLU(), nn.Linear(100, 3))
check.eq(tostring(m), "Sequential(\n  (1): Linear(2 -> 100)\n  (2): ReLU\n  (3): Linear(100 -> 3)\n)", "tostring")
check.eq(m:num_parameters(), 2 * 100 + 100 + 100 * 3 + 3, "num_parameters")
check.eq(#m, 3, "#m")
check.eq(m:size(), 3, "size")
check.eq(tostring(nn.Linear(3, 1, {bias = false})), "Linear(3 -> 1, no bias)", "no-bias tostring")
for _, name in ipairs {"ReLU", "Tanh", "Sigmoid", "Identity", "Softmax", "LogSoftmax"} do
  check.eq(tostring(nn[name]()), name, name)
  check.eq(nn[name]():num_parameters(), 0, name .. " parameters")
end
check.eq(nn.is_module(m), true, "is_module")
check.eq(nn.is_module(tensor.zeros(1)), false, "is_module(tensor)")

-- parameters(): the model's own tensors, the same Lua values on every call.
local lin = m:get(1)
check.eq(lin == m[1], true, "get(1) == m[1]")
local p = m:parameters()
check.eq(#p, 4, "#parameters")
check.eq(p[1] == lin.weight, true, "parameters()[1] is lin.weight")
check.eq(p[2] == lin.bias, true, "parameters()[2] is lin.bias")
check.eq(m:parameters()[3] == p[3], true, "same object on every call")
check.eq(m:gradients()[1] == lin.grad_weight, true, "gradients()[1] is lin.grad_weight")
check.tensor(tensor.new(lin.weight:shape()), {2, 100}, 0, "weight shape")
check.tensor(tensor.new(m[3].bias:shape()), {3}, 0, "bias shape")
check.eq(nn.Linear(2, 2, {bias = false}).bias, nil, "no bias field")
check.eq(lin.no_such_field, nil, "unknown field")

-- Writing through a parameter view changes the model.
local x = tensor.new({{1, 2}, {-1, 0.5}})
m[3].weight:zero_()
m[3].bias:copy_(tensor.new({1, 2, 3}))
check.tensor(m:forward(x), {{1, 2, 3}, {1, 2, 3}}, 0, "forward after writing parameters")
check.raises("cannot assign to field 'weight'", function() lin.weight = tensor.zeros(2, 100) end)

-- forward/backward return new tensors: a kept result does not change on the next call.
local y1 = m:forward(x)
m[3].bias:fill_(0)
local y2 = m:forward(x)
check.tensor(y1, {{1, 2, 3}, {1, 2, 3}}, 0, "earlier forward result is kept")
check.tensor(y2, {{0, 0, 0}, {0, 0, 0}}, 0, "new forward result")

-- A hand-checked Linear: y = x W + b.
local l = nn.Linear(2, 3)
l.weight:copy_(tensor.new({{1, 2, 3}, {4, 5, 6}}))
l.bias:copy_(tensor.new({0.5, -1, 2}))
check.tensor(l:forward(tensor.new({{1, 0}, {-1, 2}})), {{1.5, 1, 5}, {7.5, 7, 11}}, 0, "Linear forward")
-- backward: dX = dY W^T, dW = X^T dY, db = column sums of dY (hand-computed), accumulated.
l:zero_grad()
local gx = l:backward(tensor.new({{1, 0}, {-1, 2}}), tensor.new({{1, 0, 0}, {0, 1, 1}}))
check.tensor(gx, {{1, 4}, {5, 11}}, 0, "dX")
check.tensor(l.grad_weight, {{1, -1, -1}, {0, 2, 2}}, 0, "dW")
check.tensor(l.grad_bias, {1, 1, 1}, 0, "db")
l:backward(tensor.new({{1, 0}, {-1, 2}}), tensor.new({{1, 0, 0}, {0, 1, 1}}))
check.tensor(l.grad_bias, {2, 2, 2}, 0, "db accumulates")
check.eq(l:zero_grad(), l, "zero_grad returns the module")
check.tensor(l.grad_weight, {{0, 0, 0}, {0, 0, 0}}, 0, "zero_grad")

-- flat parameters: a copy; set_flat_parameters writes back in parameters() order.
local flat = l:flat_parameters()
check.tensor(flat, {1, 2, 3, 4, 5, 6, 0.5, -1, 2}, 0, "flat_parameters")
flat:fill_(0)
check.tensor(l.bias, {0.5, -1, 2}, 0, "flat_parameters is a copy")
l:set_flat_parameters(tensor.arange(1, 10))
check.tensor(l.weight, {{1, 2, 3}, {4, 5, 6}}, 0, "set_flat weight")
check.tensor(l.bias, {7, 8, 9}, 0, "set_flat bias")
check.tensor(l:flat_parameters(), tensor.arange(1, 10), 0, "flat round trip")
check.raises("expected a 1-D tensor of 9 values, got shape (8)", l.set_flat_parameters, l, tensor.zeros(8))

-- train/evaluate and to(dtype).
check.eq(m:is_training(), true, "training by default")
check.eq(m:evaluate(), m, "evaluate returns the module")
check.eq(m[2]:is_training(), false, "evaluate reaches children")
m:train()
check.eq(m[2]:is_training(), true, "train reaches children")
local before = m:forward(x)
check.eq(m:to("float32"), m, "to returns the module")
check.eq(m:dtype(), "float32", "dtype after to")
for i, t in ipairs(m:parameters()) do check.eq(t:dtype(), "float32", "parameter " .. i .. " dtype") end
local after = m:forward(x)
check.eq(after:dtype(), "float32", "float32 forward")
check.tensor(after, before, 1e-6, "float32 forward values")
m:to("float64")
check.eq(m[1].weight:dtype(), "float64", "back to float64")
check.raises("unknown dtype 'float16'", m.to, m, "float16")

-- Containers.
local s = nn.Sequential()
check.eq(s:add(nn.Linear(2, 2)), s, "add returns the container")
s:add(nn.Tanh())
check.eq(#s, 2, "#s after add")
check.raises("cannot be added to itself", s.add, s, s)
check.raises("already part of this Sequential", s.add, s, s[2])
check.raises("Linear(2 -> 2) is not a container", s[1].add, s[1], nn.ReLU())
check.raises("index 3 out of range for a Sequential of 2 modules", s.get, s, 3)
check.raises("module expected, got number", nn.Sequential, nn.ReLU(), 3)

-- Argument errors.
check.raises("bad argument #1 to 'nn.Linear' (number expected, got string)", nn.Linear, "2", 3)
check.raises("size must be positive, got 0", nn.Linear, 0, 3)
check.raises("unknown option 'foo'", nn.Linear, 2, 3, {foo = 1})
check.raises("option 'bias' must be a boolean", nn.Linear, 2, 3, {bias = 1})
check.raises("should have 2 columns", m.forward, m, tensor.zeros(4, 3))
check.raises("bad argument #1 to 'forward' (tensor expected, got table)", function() return m:forward({{1, 2}}) end)

-- Closing: a closed module errors clearly; a closed parameter view is replaced by a fresh one.
local closed
do
  local c <close> = nn.Linear(2, 2)
  closed = c
end
check.raises("module has been closed", function() return closed:forward(tensor.zeros(1, 2)) end)
check.eq(tostring(closed), "module (closed)", "tostring of a closed module")
local l2 = nn.Linear(2, 2)
do local w <close> = l2.weight end
check.tensor(tensor.new(l2.weight:shape()), {2, 2}, 0, "weight after closing an earlier view")
check.eq(l2:parameters()[1] == l2.weight, true, "stable again after closing")

-- nn.ReLU keeps NaN, as t:relu() does (alone and fused after a skinny Linear).
do
  local x = tensor.new{ 0 / 0, -1, 3 }
  local y = nn.ReLU():forward(x)
  assert(y[1] ~= y[1], "nn.ReLU turned NaN into " .. tostring(y[1]))
  check.eq(y[2], 0, "relu(-1)"); check.eq(y[3], 3, "relu(3)")
  local r = x:relu()
  assert(r[1] ~= r[1], "t:relu() turned NaN into " .. tostring(r[1]))
  local lin = nn.Linear(1, 2, { bias = false })
  lin.weight:copy_(tensor.new{ { 1, -1 } })
  local z = nn.Sequential(lin, nn.ReLU()):forward(tensor.new{ { 0 / 0 }, { 2 } })
  assert(z[1][1] ~= z[1][1] and z[1][2] ~= z[1][2], "Linear+ReLU turned NaN into numbers")
  check.eq(z[2][1], 2, "relu(2)"); check.eq(z[2][2], 0, "relu(-2)")
end

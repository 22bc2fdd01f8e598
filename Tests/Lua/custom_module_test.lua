local check = require "check"

-- nn.Lambda and nn.Module: layers written in Lua, against the same computation with built-ins.

local X, y = data.spiral{ classes = 3, per_class = 20, seed = 0 }

local function affine(w, b)
  return nn.Module{ name = "Affine", parameters = { w = w, b = b },
                    forward = function(self, x) return x:matmul(self.w) + self.b end }
end

-- Twin models: Linear -> Tanh -> Linear, and Affine (nn.Module) -> Lambda(tanh) -> Linear, same numbers.
local function twins(seed)
  tensor.seed(seed)
  local builtin = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 3))
  local first, last = builtin:get(1), builtin:get(3)
  local custom = nn.Sequential(affine(first.weight, first.bias), nn.Lambda(function(x) return x:tanh() end),
                               nn.Linear(8, 3))
  custom:get(3).weight:copy_(last.weight)
  custom:get(3).bias:copy_(last.bias)
  return builtin, custom
end

-- Fields, parameters (in the order of their names), description.
do
  local w, b = tensor.randn(2, 4), tensor.randn(4)
  local m = affine(w, b)
  check.eq(tostring(m), "Affine(b: (4), w: (2x4))", "tostring")
  check.tensor(m.w, w, 0, "m.w")
  w:fill_(7)
  assert(m.w:get(1, 1) ~= 7, "the module keeps copies of the tensors it was given")
  local p = m:parameters()
  check.eq(#p, 2, "two parameters")
  check.tensor(p[1], b, 0, "parameters in the order of their names: b first")
  check.eq(m:num_parameters(), 12, "num_parameters")
  check.eq(#m:gradients(), 2, "gradients")
  check.tensor(m.grad_w, tensor.zeros(2, 4), 0, "m.grad_w")
  check.eq(tostring(nn.Lambda(function(x) return x end)), "Lambda", "Lambda's name")
  check.eq(tostring(nn.Lambda(function(x) return x end, { name = "Same" })), "Same", "Lambda with a name")
end

-- forward and backward agree with the built-in layers (input and parameter gradients).
do
  local builtin, custom = twins(1)
  local ce = nn.CrossEntropyLoss{ weights = { 1, 2, 0.5 } }
  local grads = {}
  for k, m in ipairs{ builtin, custom } do
    m:zero_grad()
    local out = m:forward(X)
    local gx = m:backward(X, ce:backward(out, y))
    grads[k] = { out = out, gx = gx, flat = m:flat_gradients() }
  end
  check.tensor(grads[2].out, grads[1].out, 1e-15, "forward")
  check.tensor(grads[2].gx, grads[1].gx, 1e-15, "input gradient")
  -- Flat order: Linear's weight, bias; Affine's b, w.
  local g1 = builtin:flat_gradients()
  local gw, gb = g1:narrow(1, 1, 16), g1:narrow(1, 17, 8)
  check.tensor(grads[2].flat:narrow(1, 1, 8), gb, 1e-15, "custom bias gradient")
  check.tensor(grads[2].flat:narrow(1, 9, 16), gw, 1e-15, "custom weight gradient")
  check.tensor(grads[2].flat:narrow(1, 25, 27), g1:narrow(1, 25, 27), 1e-15, "the last Linear's gradients")
  -- backward accumulates, as for built-ins.
  custom:backward(X, ce:backward(custom:forward(X), y))
  check.tensor(custom:get(1).grad_w:view(-1), gw * 2, 1e-14, "gradients accumulate")
  -- A backward on another input runs forward first.
  local X2 = X * 0.5
  builtin:zero_grad(); custom:zero_grad()
  builtin:forward(X); custom:forward(X)
  local ga = builtin:backward(X2, tensor.ones(60, 3))
  local gc = custom:backward(X2, tensor.ones(60, 3))
  check.tensor(gc, ga, 1e-15, "backward on a new input")
end

-- Training: train.fit and an optimizer loop give the same parameters as with built-ins.
do
  local builtin, custom = twins(2)
  for _, m in ipairs{ builtin, custom } do
    train.fit{ model = m, loss = nn.CrossEntropyLoss(), optimizer = optim.Adam(m, { lr = 0.05 }), x = X, y = y,
               steps = 60, weights = schedule.triangular{ classes = 3, amplitude = 5, period = 20 }, progress = false }
  end
  local pb, pc = builtin:flat_parameters(), custom:flat_parameters()
  check.tensor(pc:narrow(1, 1, 8), pb:narrow(1, 17, 8), 1e-12, "trained bias")
  check.tensor(pc:narrow(1, 9, 16), pb:narrow(1, 1, 16), 1e-12, "trained weight")
  check.tensor(pc:narrow(1, 25, 27), pb:narrow(1, 25, 27), 1e-12, "trained last layer")
  -- set_flat_parameters writes into the custom parameters.
  custom:set_flat_parameters(tensor.zeros(51))
  check.tensor(custom:get(1).w, tensor.zeros(2, 8), 0, "set_flat_parameters")
end

-- Inside autograd.grad: the custom layer is one node; gradients match the built-in model's.
do
  local builtin, custom = twins(3)
  local ce = nn.CrossEntropyLoss()
  local function f(m) return function(p, x) return ce:forward(m:forward(x), y) end end
  local gb = autograd.grad(f(builtin), { argnum = 2 })(builtin:parameters(), X)
  local gc = autograd.grad(f(custom), { argnum = 2 })(custom:parameters(), X)
  check.tensor(gc, gb, 1e-14, "input gradient through an outer autograd.grad")
  local pb = autograd.grad(f(builtin))(builtin:parameters(), X)
  local pc = autograd.grad(f(custom))(custom:parameters(), X)
  check.tensor(pc[1], pb[2], 1e-14, "bias gradient through an outer autograd.grad")
  check.tensor(pc[2], pb[1], 1e-14, "weight gradient through an outer autograd.grad")
end

-- dtype conversion, save and load.
do
  local _, custom = twins(4)
  local path = os.tmpname()
  custom:save(path)
  local function constructors(shape)
    return { custom = {
      Affine = function() return affine(tensor.zeros(table.unpack(shape)), tensor.zeros(8)) end,
      Lambda = function() return nn.Lambda(function(x) return x:tanh() end) end,
    } }
  end
  local loaded = nn.load(path, constructors{ 2, 8 })
  check.tensor(loaded:flat_parameters(), custom:flat_parameters(), 0, "loaded parameters, bit for bit")
  check.tensor(loaded:forward(X), custom:forward(X), 0, "loaded model's output")
  check.raises("holds a custom layer 'Affine'", function() nn.load(path) end)
  check.raises("has no constructor of that name", function() nn.load(path, { custom = { Lambda = function() return nn.Lambda(function(x) return x end) end } }) end)
  check.raises("of shape 2x8, the constructor's parameter 2 is 'w' of shape (3x8)", function() nn.load(path, constructors{ 3, 8 }) end)
  check.raises("must return an nn.Module or nn.Lambda named 'Affine'", function()
    nn.load(path, { custom = { Affine = function() return nn.Linear(2, 8) end } })
  end)
  check.raises("nn.load: custom.Affine must be a function", function() nn.load(path, { custom = { Affine = 3 } }) end)
  os.remove(path)
  -- float32: the parameters convert, the Lua forward follows the input's dtype.
  custom:to("float32")
  check.eq(custom:get(1).w:dtype(), "float32", "custom parameter converted")
  check.eq(custom:dtype(), "float32", "module dtype")
  local out = custom:forward(X:to("float32"))
  check.eq(out:dtype(), "float32", "float32 output")
  check.tensor(out, loaded:forward(X), 1e-5, "float32 output value")
  custom:backward(X:to("float32"), tensor.ones(60, 3, "float32"))
  check.eq(custom:get(1).grad_w:dtype(), "float32", "float32 gradient")
end

-- Errors name the layer and what was wrong.
do
  local bad = nn.Lambda(function(x) return "oops" end, { name = "Bad" })
  check.raises("Bad: forward must return a tensor, got a string", function() bad:forward(X) end)
  local failing = nn.Module{ name = "Failing", forward = function(self, x) return x:matmul(self.nothing) end }
  local ok, err = pcall(failing.forward, failing, X)
  assert(not ok and err:find("Failing: error in forward:", 1, true) and err:find("custom_module_test.lua", 1, true),
         "a Lua error inside forward names the layer and the line: " .. tostring(err))
  local seq = nn.Sequential(nn.Linear(2, 3), failing)
  check.raises("Failing: error in forward:", function()
    train.fit{ model = seq, loss = nn.CrossEntropyLoss(), optimizer = optim.SGD(seq, { lr = 0.1 }), x = X, y = y, steps = 2, progress = false }
  end)
  check.raises("field 'forward' must be a function", function() nn.Module{ parameters = {} } end)
  check.raises("parameter 'w' must be a tensor", function() nn.Module{ parameters = { w = 3 }, forward = print } end)
  check.raises("parameter name 'forward' is taken", function() nn.Module{ parameters = { forward = tensor.ones(1) }, forward = print } end)
  check.raises("parameter names must be identifiers", function() nn.Module{ parameters = { tensor.ones(1) }, forward = print } end)
  check.raises("field 'name' must be an identifier", function() nn.Module{ name = "two words", forward = print } end)
  check.raises("function expected", function() nn.Lambda() end)
  -- In-place updates of a parameter inside forward are refused (the gradient reads it).
  local inplace = nn.Module{ parameters = { w = tensor.ones(2) }, forward = function(self, x) self.w:mul_(2); return x * self.w end }
  check.raises("in-place update", function() inplace:forward(tensor.ones(3, 2)) end)
  check.tensor(inplace.w, { 1, 1 }, 0, "the parameter is unchanged after the refused update")
  -- A parameter-free layer ignoring its input: the input gradient is zero.
  local const = nn.Lambda(function(x) return tensor.ones(2, 2) end)
  const:forward(tensor.ones(2, 2))
  check.tensor(const:backward(tensor.ones(2, 2), tensor.ones(2, 2)), tensor.zeros(2, 2), 0, "zero input gradient")
  check.raises("gradient of shape (3) for a result of shape (2x2)", function() const:backward(tensor.ones(2, 2), tensor.ones(3)) end)
end

-- The definition's other fields are readable from outside (m.scale), and forward sees the same.
do
  local m = nn.Module{ name = "Scaled", parameters = { w = tensor.ones(2, 2) }, scale = 3, tag = "t",
                       forward = function(self, x) return x:matmul(self.w) * self.scale end }
  check.eq(m.scale, 3, "m.scale")
  check.eq(m.tag, "t", "m.tag")
  check.eq(m.missing, nil, "unknown field")
  check.eq(m.name, "Scaled", "m.name")
  check.tensor(m:forward(tensor.ones(1, 2)), tensor.new{ { 6, 6 } }, 0, "forward uses self.scale")
  check.eq(nn.Lambda(function(x) return x end).scale, nil, "a Lambda has no definition fields")
  check.raises("cannot assign to field 'scale'", function() m.scale = 4 end)
end

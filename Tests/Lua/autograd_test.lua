local check = require "check"

-- Central differences of the scalar f at x (float64), perturbing each element in turn through a
-- flat view: the independent reference every backward rule is checked against.
local function numeric(f, x, h)
  h = h or 1e-6
  local g = tensor.zeros(x:shape())
  local flat, gflat = x:view(-1), g:view(-1)
  for i = 1, x:numel() do
    local v = flat[i]
    flat[i] = v + h; local up = f(x)
    flat[i] = v - h; local down = f(x)
    flat[i] = v
    gflat[i] = (up - down) / (2 * h)
  end
  return g
end

-- f gives a 0-d tensor inside autograd.grad; outside, the same code gives a number or a 0-d tensor.
local function value(y) return tensor.is_tensor(y) and y:item() or y end

local function gradcheck(name, f, x, tol)
  local g, v = autograd.grad(f)(x)
  check.near(v, value(f(x)), 1e-12, name .. ": value")
  check.eq(tostring(g:shape()), tostring(x:shape()), name .. ": gradient shape")
  check.tensor(g, numeric(function(z) return value(f(z)) end, x), tol or 1e-6, name)
end

tensor.seed(3)
local A = tensor.randn(3, 4)
local P = tensor.rand(3, 4) + 0.5          -- positive: log, sqrt, pow with any exponent
local B = tensor.randn(4)                  -- broadcasts along rows
local C = tensor.randn(3, 1)               -- broadcasts along columns
local W = tensor.randn(4, 2)
local labels = tensor.new{ 2, 4, 1 }

-- Arithmetic with broadcasting, both operands differentiated in turn, and with numbers.
gradcheck("add", function(x) return (x + B):sum() end, A)
gradcheck("add broadcast operand", function(b) return ((A + b) * A):sum() end, B)
gradcheck("sub column operand", function(c) return ((A - c) ^ 2):sum() end, C)
gradcheck("mul", function(x) return (x * A * C):sum() end, A)
gradcheck("div numerator", function(x) return (x / P):sum() end, A)
gradcheck("div denominator", function(p) return (A / p):sum() end, P)
gradcheck("div broadcast denominator", function(c) return (A / (c * c + 1)):sum() end, C)
gradcheck("pow base", function(p) return (p ^ A):sum() end, P)
gradcheck("pow exponent", function(x) return (P ^ x):sum() end, A)
gradcheck("unary minus", function(x) return (-x * A):sum() end, A)
gradcheck("numbers first", function(x) return (2 - x + 3 * x - 1 / (x * x + 1) + 2 ^ x):sum() end, A)
gradcheck("numbers second", function(x) return ((x + 1) * 2 - 0.5):sum() + (x / 4):sum() + (P ^ 2.5):sum() end, A)
gradcheck("pow number", function(p) return (p ^ 3):sum() + (p ^ 0.5):sum() end, P)

-- Element-wise functions.
gradcheck("exp", function(x) return x:exp():sum() end, A)
gradcheck("log", function(p) return (p:log() * A):sum() end, P)
gradcheck("abs", function(x) return (x:abs() * A):sum() end, A)
gradcheck("sqrt", function(p) return p:sqrt():sum() end, P)
gradcheck("tanh", function(x) return (x:tanh() * A):sum() end, A)
gradcheck("sigmoid", function(x) return (x:sigmoid() * A):sum() end, A)
gradcheck("relu", function(x) return (x:relu() * A):sum() end, A)
gradcheck("clamp", function(x) return (x:clamp(-0.5, 0.7) * A):sum() end, A)
gradcheck("clamp one-sided", function(x) return (x:clamp(0) * A):sum() end, A)
gradcheck("pow method", function(p) return (p:pow(1.5) + p:pow(P)):sum() end, P)
gradcheck("pow method exponent", function(x) return P:pow(x):sum() end, A)

-- Reductions, with and without a dimension.
gradcheck("sum", function(x) return (x * x):sum() end, A)
gradcheck("mean", function(x) return (x * x):mean() end, A)
gradcheck("sum dim 1", function(x) return (x:sum(1) * B):sum() end, A)
gradcheck("mean dim 2", function(x) return (x:mean(2) ^ 2):sum() end, A)
gradcheck("sum dim -1", function(x) return (x:sum(-1):exp()):sum() end, A)
gradcheck("max", function(x) return x:max() * 3 end, A)
gradcheck("min", function(x) return x:min() ^ 2 end, A)
gradcheck("max dim", function(x) return (x:max(2) * C:view(3)):sum() end, A)
gradcheck("min dim", function(x) return (x:min(1) * B):sum() end, A)
gradcheck("norm", function(x) return x:norm() end, A)
gradcheck("std", function(x) return x:std() end, A)
gradcheck("std dim", function(x) return (x:std(1) * B):sum() end, A)
gradcheck("std dim 2", function(x) return x:std(2):sum() end, A)

-- Products.
gradcheck("matmul left", function(x) return (x:matmul(W) ^ 2):sum() end, A)
gradcheck("matmul right", function(w) return (A:matmul(w):tanh()):sum() end, W)
gradcheck("matrix-vector", function(b) return (A:matmul(b) ^ 2):sum() end, B)
gradcheck("matrix-vector matrix", function(x) return (x:matmul(B) ^ 2):sum() end, A)
gradcheck("vector-matrix", function(b) return (b:matmul(W) ^ 2):sum() end, B)
gradcheck("tensor.matmul", function(w) return tensor.matmul(A, w):sum() end, W)
gradcheck("dot", function(b) return b:dot(B * B) + b:dot(b) end, B)

-- Softmaxes and a label-picking cross-entropy (gather) against each other.
gradcheck("softmax", function(x) return (x:softmax(2) * A):sum() end, A)
gradcheck("softmax dim 1", function(x) return (x:softmax(1) ^ 2):sum() end, A)
gradcheck("log_softmax", function(x) return (x:log_softmax(2) * A):sum() end, A)
gradcheck("log_softmax dim 1", function(x) return (x:log_softmax(1) * A):sum() end, A)
gradcheck("cross-entropy by gather", function(x)
  return -x:log_softmax(2):gather(2, labels:view(3, 1)):mean()
end, A)
local ce = autograd.grad(function(x) return -(x:log_softmax(2) * tensor.onehot(labels, 4)):sum() / 3 end)(A)
check.tensor(ce, (A:softmax(2) - tensor.onehot(labels, 4)) / 3, 1e-15, "cross-entropy gradient in closed form")

-- Views and copies.
gradcheck("t", function(x) return (x:t() * A:t()):sum() end, A)
gradcheck("t of a vector", function(b) return (b:t() * B):sum() end, B)
gradcheck("transpose", function(x) return (x:transpose(1, 2):matmul(C:view(3)) ^ 2):sum() end, A)
gradcheck("view", function(x) return (x:view(2, 6) ^ 2):sum(1):dot(tensor.arange(6)) end, A)
gradcheck("reshape of a transpose", function(x) return (x:t():reshape(12) * tensor.arange(12)):sum() end, A)
gradcheck("narrow", function(x) return (x:narrow(2, 2, 2) ^ 3):sum() end, A)
gradcheck("select", function(x) return (x:select(1, 2) * B):sum() end, A)
gradcheck("row by t[i]", function(x) return (x[3] * B):sum() + x[1][2] * 5 end, A)
gradcheck("index with repeats", function(x) return (x:index(1, { 3, 1, 3 }) ^ 2):sum() end, A)
gradcheck("clone contiguous to", function(x) return (x:clone() * x:t():contiguous():t()):sum() + x:to("float64"):sum() end, A)
gradcheck("cat", function(x) return (tensor.cat({ x, A * x }, 2) ^ 2):sum() end, A)
gradcheck("cat constant part", function(x) return (tensor.cat({ A, x }, 1) ^ 2):mean() end, A)
gradcheck("stack", function(x) return (tensor.stack({ x, x * x }, 3) * tensor.ones(3, 4, 2)):sum() end, A)

-- Masks and positions are constants; only the selected values get gradients.
local mask = A:gt(0)
gradcheck("where", function(x) return tensor.where(mask, x * 2, x ^ 2):sum() end, A)
gradcheck("where number branch", function(x) return tensor.where(mask, x, 0):sum() end, A)
gradcheck("where broadcast", function(b) return tensor.where(mask, b, A):sum() end, B)
gradcheck("masked", function(x) return (x:masked(tensor.new{ 1, 0, 1 }) ^ 2):sum() end, A)
gradcheck("t[mask]", function(x) return (x[mask] ^ 3):sum() end, A)
gradcheck("gather", function(x) return (x:gather(1, tensor.new{ { 1, 3, 3, 2 } }) ^ 2):sum() end, A)

-- A mask made from the tracked value itself is fine as a mask.
local relu_like = autograd.grad(function(x) return tensor.where(x:gt(0), x, 0):sum() end)(A)
check.tensor(relu_like, A:gt(0), 0, "where(x > 0, x, 0)")

-- float32 arguments get float32 gradients.
local g32 = autograd.grad(function(x) return (x * x):sum() end)(tensor.new({ 1, 2 }, "float32"))
check.eq(g32:dtype(), "float32", "float32 gradient dtype")
check.tensor(g32, { 2, 4 }, 0, "float32 gradient")

-- Tables of tensors, nested, with argnum; the value comes second.
local params = { w = W, layers = { { b = tensor.randn(2) }, tensor.randn(2) } }
local loss = function(x, p)
  local h = (x:matmul(p.w) + p.layers[1].b):tanh()
  return ((h * p.layers[2]):sum(2) ^ 2):mean()
end
local gp, v = autograd.grad(loss, { argnum = 2 })(A, params)
check.near(v, loss(A, params), 1e-15, "value of a table argument")
local function numericIn(t) return numeric(function() return loss(A, params) end, t) end
check.tensor(gp.w, numericIn(params.w), 1e-6, "table gradient .w")
check.tensor(gp.layers[1].b, numericIn(params.layers[1].b), 1e-6, "table gradient .layers[1].b")
check.tensor(gp.layers[2], numericIn(params.layers[2]), 1e-6, "table gradient .layers[2]")
check.eq(params.w, W, "the argument table is left as it was")

-- A tensor used twice accumulates; an unused argument gets zeros.
check.tensor(autograd.grad(function(x) return (x * x + x):sum() end)(B), B * 2 + 1, 1e-15, "accumulation")
check.tensor(autograd.grad(function(x) return tensor.new(A:sum()) end)(B), { 0, 0, 0, 0 }, 0, "unused argument")
-- Gradients are fresh tensors, not shared between leaves or with the argument.
local g2 = autograd.grad(function(p) return (p[1] + p[2]):sum() end)({ B, B })
g2[1]:fill_(7)
check.tensor(g2[2], { 1, 1, 1, 1 }, 0, "two leaves' gradients are separate tensors")

-- Misuse is an error that says what happened.
local function fails(pattern, f, ...)
  local ok, err = pcall(f, ...)
  check.eq(ok, false, "expected an error matching " .. pattern)
  if not tostring(err):find(pattern, 1, true) then error("error '" .. tostring(err) .. "' lacks '" .. pattern .. "'", 2) end
end
fails("must return a scalar (one element), got a tensor of shape (3x4)", autograd.grad(function(x) return x * 2 end), A)
fails("f returned a plain number", autograd.grad(function(x) return x:sum():item() end), A)
fails("must return a scalar tensor, got a string", autograd.grad(function() return "x" end), A)
fails("must return a scalar tensor, got a nil", autograd.grad(function() end), A)
fails("add_: in-place update of a tensor the gradient computation still needs", autograd.grad(function(x)
  local y = x:exp(); y:add_(1); return y:sum()
end), A)
fails("fill_: in-place update", autograd.grad(function(x) x:fill_(0); return x:sum() end), A)
fails("t[i] = value: in-place update", autograd.grad(function(x) x[1] = 0; return x:sum() end), A)
fails("gt has no gradient", autograd.grad(function(x) return (x * x:gt(0)):sum() end), A)
fails("argmax has no gradient", autograd.grad(function(x) return (x:argmax(2) * x:sum(2)):sum() end), A)
fails("nested gradients are not supported", autograd.grad(function(x)
  return autograd.grad(function(y) return y:sum() end)(x)
end), A)
fails("f fails here", autograd.grad(function() error("f fails here") end), A)
fails("bad argument #1", autograd.grad(function(x) return x:sum() end), 3)
fails("argument 1.k is a number", autograd.grad(function(x) return x:sum() end), { k = 3 })
fails("appears twice", autograd.grad(function(x) return x end), (function() local t = {}; t.me = t; return t end)())
fails("bad argument #2", autograd.grad(function(x, y) return x:sum() end, { argnum = 2 }), A)
fails("unknown option 'arg'", autograd.grad, function() end, { arg = 2 })
fails("function expected", autograd.grad, 3)
-- After an error the tape is gone: plain code works as before.
check.eq(math.type(A:sum()), "float", "full reductions are numbers again outside f")
A:add_(0)
-- A closed tensor as the differentiated argument is an error, not a table walk (it crashed).
local closed = tensor.randn(2)
getmetatable(closed).__close(closed)
fails("tensor has been closed", autograd.grad(function(x) return x:sum() end), closed)
fails("tensor has been closed", autograd.grad(function(_, x) return x:sum() end, { argnum = 2 }), 1, closed)

-- Arguments of any layout: a transposed view, a 0-d tensor, an empty tensor.
local At = A:t()
check.tensor(autograd.grad(function(x) return (x * x):sum() end)(At), At * 2, 0, "transposed argument")
local g0, v0 = autograd.grad(function(x) return x * x * 3 end)(tensor.new(2))
check.eq(g0:dim(), 0, "0-d argument has a 0-d gradient")
check.eq(g0:item(), 12, "d(3x^2)/dx at 2")
check.eq(v0, 12, "value at 2")
local ge = autograd.grad(function(x) return x:sum() + 1 end)(tensor.zeros(0))
check.eq(ge:numel(), 0, "empty argument has an empty gradient")
-- float32 argument combined with float64: the gradient is float32 again.
local g3 = autograd.grad(function(x) return (x * B):sum() end)(B:to("float32"))
check.eq(g3:dtype(), "float32", "mixed dtypes: gradient in the argument's dtype")
check.tensor(g3, B:to("float32"), 0, "mixed dtypes: values")

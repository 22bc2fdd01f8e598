local check = require "check"

-- nn.Loss: a criterion written in Lua, accepted wherever a built-in loss is.

-- The weighted cross-entropy written in Lua: (1/N) sum_n w[y_n] * (-log softmax(output_n)[y_n]).
local function luaCE(name)
  return nn.Loss(function(output, labels, w)
    local picked = output:log_softmax(2):gather(2, labels:view(-1, 1)):view(-1)
    return -(picked * w:index(1, labels)):mean()
  end, { name = name })
end

local function spiralModel(seed)
  tensor.seed(seed)
  return nn.Sequential(nn.Linear(2, 100), nn.ReLU(), nn.Linear(100, 3))
end

local X, y = data.spiral{ classes = 3, per_class = 100, revolutions = 4, noise = 0.2, seed = 0 }

-- forward, backward, evaluate and set_weights against the built-in, with and without weights.
do
  local model = spiralModel(3)
  local out = model:forward(X) * 3
  local ce, mine = nn.CrossEntropyLoss(), luaCE("MyCE")
  check.eq(tostring(mine), "MyCE", "tostring")
  for _, w in ipairs{ false, { 0.5, 2, 1.5 }, tensor.new{ 3, 1, 0.25 } } do
    if w then ce:set_weights(w); mine:set_weights(w) end
    check.near(mine:forward(out, y), ce:forward(out, y), 1e-14, "forward")
    check.tensor(mine:backward(out, y), ce:backward(out, y), 1e-14, "backward")
    local l1, w1, c1, g1 = ce:evaluate(out, y)
    local l2, w2, c2, g2 = mine:evaluate(out, y)
    check.near(l2, l1, 1e-14, "evaluate: unweighted loss")
    check.near(w2, w1, 1e-14, "evaluate: weighted loss")
    check.eq(c2, c1, "evaluate: correct count")
    check.tensor(g2, g1, 1e-14, "evaluate: gradient")
  end
  check.tensor(mine:weights(), { 3, 1, 0.25 }, 0, "weights()")
  -- Labels as a Lua table too; float32 outputs.
  local y32 = y:totable()
  local out32 = out:to("float32")
  check.near(mine:forward(out32, y32), ce:forward(out32, y32), 1e-6, "float32 forward")
  check.eq(mine:backward(out32, y32):dtype(), "float32", "float32 gradient dtype")
end

-- evaluate's second (unweighted) call reuses the first call's log_softmax only for the very same
-- values: here fn doubles its output in place in that call, and the unweighted loss is that of 2x.
do
  local out = tensor.randn(6, 3)
  local labels = { 1, 2, 3, 3, 2, 1 }
  local doubling = nn.Loss(function(o, l, w)
    if w:get(2) == 1 then o:mul_(2) end  -- only in the unweighted call (the weights are {1, 5, 1})
    return -(o:log_softmax(2):gather(2, l:view(-1, 1)):view(-1) * w:index(1, l)):mean()
  end):set_weights{ 1, 5, 1 }
  local reference = out * 2
  local loss, weighted = doubling:evaluate(out, labels)
  check.near(loss, nn.CrossEntropyLoss():forward(reference, labels), 1e-14, "unweighted loss of the changed output")
  check.near(weighted, nn.CrossEntropyLoss{ weights = { 1, 5, 1 } }:forward(reference * 0.5, labels), 1e-14, "weighted loss")
end

-- The labels tensor fn receives may be changed by fn: the next call still gets the true labels.
do
  local out = tensor.randn(5, 3)
  local labels = { 3, 1, 2, 2, 3 }
  local scribbling = nn.Loss(function(o, l, w)
    local value = -(o:log_softmax(2):gather(2, l:view(-1, 1)):view(-1) * w:index(1, l)):mean()
    l:fill_(1)
    return value
  end):set_weights{ 2, 1, 1 }
  for round = 1, 2 do
    local loss, weighted = scribbling:evaluate(out, labels)
    check.near(loss, nn.CrossEntropyLoss():forward(out, labels), 1e-14, "unweighted loss, round " .. round)
    check.near(weighted, nn.CrossEntropyLoss{ weights = { 2, 1, 1 } }:forward(out, labels), 1e-14, "weighted loss, round " .. round)
  end
end

-- The weights fn sees: all ones when none are set; labels are the script's 1-based labels.
do
  local seen = {}
  local probe = nn.Loss(function(output, labels, w)
    seen.w, seen.labels = w:clone(), labels:clone()
    return output:sum() * 0 + 1.5
  end)
  local out = tensor.zeros(4, 3)
  check.eq(probe:forward(out, { 3, 1, 2, 3 }), 1.5, "value returned as a 0-d tensor")
  check.tensor(seen.w, { 1, 1, 1 }, 0, "weights default to ones")
  check.tensor(seen.labels, { 3, 1, 2, 3 }, 0, "labels are 1-based")
  check.tensor(probe:backward(out, { 3, 1, 2, 3 }), tensor.zeros(4, 3), 0, "constant loss: zero gradient")
  local plain = nn.Loss(function() return 2.5 end)
  check.eq(plain:forward(out, { 1, 1, 1, 1 }), 2.5, "a plain number is a value")
end

-- The Fig. 4 trajectory: 1,000 steps of train.fit with the dynamical weights, nn.Loss against the
-- built-in (whose fused kernel sums in another order): every recorded value and the final
-- parameters agree to 1e-12 relative.
do
  local function run(loss)
    local model = spiralModel(0)
    local h = train.fit{ model = model, loss = loss, optimizer = optim.SGD(model, { lr = 1 }), x = X, y = y,
                         steps = 1000, weights = schedule.triangular{ classes = 3, amplitude = 70, period = 5000 },
                         progress = false }
    return h, model:flat_parameters()
  end
  local hb, pb = run(nn.CrossEntropyLoss())
  local hl, pl = run(luaCE())
  check.eq(#hl.loss, 1000, "every step recorded")
  for i = 1, 1000, 37 do
    check.near(hl.loss[i], hb.loss[i], 1e-12, "loss at step " .. i)
    check.near(hl.weighted_loss[i], hb.weighted_loss[i], 1e-12, "weighted loss at step " .. i)
    check.eq(hl.accuracy[i], hb.accuracy[i], "accuracy at step " .. i)
  end
  check.near(hl.loss[1000], hb.loss[1000], 1e-12, "last loss")
  check.near(hl.final.loss, hb.final.loss, 1e-12, "final loss")
  check.eq(hl.final.accuracy, hb.final.accuracy, "final accuracy")
  local rel = (pl - pb):abs():max() / pb:abs():max()
  assert(rel < 1e-12, "final parameters differ by " .. rel .. " relative")
  -- (with lr = 1 and weights up to 14 on class 1 the loss rises: the dynamics are far from trivial)
  assert(math.abs(hb.loss[1000] - hb.loss[1]) > 0.5, "the parameters moved: " .. hb.loss[1] .. " -> " .. hb.loss[1000])
end

-- Minibatches, validation, weights from a Lua function, train.evaluate.
do
  local Xt, yt, Xv, yv = data.split(X, y, { fraction = 0.2, seed = 1 })
  local function run(loss)
    local model = spiralModel(4)
    local h = train.fit{ model = model, loss = loss, optimizer = optim.Adam(model, { lr = 0.01 }), x = Xt, y = yt,
                         steps = 40, batch_size = 64, validation = { x = Xv, y = yv },
                         weights = function(step) return { 1, 1 + step / 10, 1 } end, progress = false }
    return h, model
  end
  local hb, mb = run(nn.CrossEntropyLoss())
  local hl, ml = run(luaCE())
  for i = 1, 40, 13 do
    check.near(hl.loss[i], hb.loss[i], 1e-12, "minibatch loss at step " .. i)
    check.near(hl.val_loss[i], hb.val_loss[i], 1e-12, "validation loss at step " .. i)
    check.near(hl.weighted_loss[i], hb.weighted_loss[i], 1e-12, "minibatch weighted loss at step " .. i)
    check.tensor(tensor.new(hl.weights[i]), hb.weights[i], 0, "weights at step " .. i)
  end
  check.near(hl.final.val_loss, hb.final.val_loss, 1e-12, "final validation loss")
  local lb, ab, cb = train.evaluate(mb, nn.CrossEntropyLoss(), Xv, yv)
  local ll, al, cl = train.evaluate(ml, luaCE(), Xv, yv, { batch_size = 7 })
  check.near(ll, lb, 1e-12, "train.evaluate loss (in chunks)")
  check.eq(al, ab, "train.evaluate accuracy")
  check.tensor(tensor.new(cl), cb, 0, "train.evaluate class accuracy")
end

-- Inside autograd.grad, a custom loss is differentiated like the built-in.
do
  local model = spiralModel(6)
  local ce, mine = nn.CrossEntropyLoss{ weights = { 1, 2, 3 } }, luaCE()
  mine:set_weights{ 1, 2, 3 }
  local function f(loss) return function(p) return loss:forward(model:forward(X), y) end end
  local gb, vb = autograd.grad(f(ce))(model:parameters())
  local gl, vl = autograd.grad(f(mine))(model:parameters())
  check.near(vl, vb, 1e-14, "value under autograd")
  for k = 1, #gb do check.tensor(gl[k], gb[k], 1e-13, "parameter gradient " .. k .. " under autograd") end
end

-- Errors say what went wrong and where.
do
  local out = tensor.zeros(5, 3)
  local labels = { 1, 2, 3, 1, 2 }
  check.raises("Vector (nn.Loss): the loss function must return a scalar, got a tensor of shape (5)",
    function() nn.Loss(function(o) return o:sum(2) end, { name = "Vector" }):forward(out, labels) end)
  check.raises("must return a scalar (a number or a one-element tensor), got a string",
    function() nn.Loss(function() return "one" end):forward(out, labels) end)
  check.raises("returned a plain number, which the gradient cannot follow",
    function() nn.Loss(function(o) return o:sum():item() end):backward(out, labels) end)
  local ok, err = pcall(function()
    nn.Loss(function(o, l, w) return o:matmul(w:view(1, 3)):sum() end, { name = "Broken" }):backward(out, labels)
  end)
  assert(not ok and err:find("Broken (nn.Loss): error in the loss function:", 1, true) and err:find("matmul", 1, true)
         and err:find("lua_loss_test.lua", 1, true), "a Lua error inside fn names the loss and the script line: " .. tostring(err))
  check.raises("Oops (nn.Loss): error in the loss function:",
    function() nn.Loss(function() error("no such thing") end, { name = "Oops" }):forward(out, labels) end)
  check.raises("3 classes, 2 weights", function() luaCE():set_weights{ 1, 2 }:forward(out, labels) end)
  check.raises("label", function() luaCE():forward(out, { 1, 2, 4, 1, 2 }) end)
  check.raises("expected a 2-D output", function() luaCE():forward(tensor.zeros(5), labels) end)
  check.raises("function expected", function() nn.Loss(3) end)
  check.raises("option 'name' must be", function() nn.Loss(function() end, { name = "a b" }) end)
  check.raises("unknown option 'weights'", function() nn.Loss(function() end, { weights = { 1 } }) end)
  -- In-place updates of the output inside fn are refused while the gradient needs it.
  check.raises("in-place update", function()
    nn.Loss(function(o) o:mul_(2); return o:sum() end):backward(tensor.ones(2, 3), { 1, 2 })
  end)
  -- The model, the loss and the tape stay usable after an error.
  local mine = luaCE()
  check.near(mine:forward(out, labels), math.log(3), 1e-14, "usable after errors")
end

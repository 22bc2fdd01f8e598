-- Losses from Lua: closed-form values, weights (mean over N, not over the weights), the fused
-- evaluate against forward/backward, and every bad-label/bad-weight message.
local check = require "check"

local z = tensor.new({{1, 2, 3}, {0, 0, 0}, {-1, 4, 0.5}})
local y = {3, 1, 2}
-- By hand: loss_n = log(sum_j exp(z_nj)) - z_n,y_n.
local l1 = math.log(math.exp(1) + math.exp(2) + math.exp(3)) - 3
local l2 = math.log(3)
local l3 = math.log(math.exp(-1) + math.exp(4) + math.exp(0.5)) - 4

local ce = nn.CrossEntropyLoss()
check.eq(tostring(ce), "CrossEntropyLoss", "tostring")
check.near(ce:forward(z, y), (l1 + l2 + l3) / 3, 1e-15, "cross-entropy")
check.near(ce:forward(z, tensor.new(y)), (l1 + l2 + l3) / 3, 1e-15, "labels as a tensor")
check.eq(ce:weights(), nil, "no weights set")
check.eq(ce:set_weights({0.5, 2, 4}), ce, "set_weights returns the loss")
check.tensor(ce:weights(), {0.5, 2, 4}, 0, "weights()")
-- Weighted: w[y_n] * loss_n summed, divided by N = 3 (not by the weights' sum).
check.near(ce:forward(z, y), (4 * l1 + 0.5 * l2 + 2 * l3) / 3, 1e-15, "weighted cross-entropy")
check.eq(tostring(ce), "CrossEntropyLoss(weights = {0.5, 2, 4})", "tostring with weights")
ce:set_weights(nil)
check.near(ce:forward(z, y), (l1 + l2 + l3) / 3, 1e-15, "weights reset")
local cw = nn.CrossEntropyLoss{weights = tensor.new({1, 1, 10})}
check.near(cw:forward(z, y), (10 * l1 + l2 + l3) / 3, 1e-15, "weights option")
-- The weights() tensor is a copy.
cw:weights():fill_(0)
check.tensor(cw:weights(), {1, 1, 10}, 0, "weights() copy")

-- Gradient of the weighted mean on a 2-class case: (w_y / N) (softmax - onehot), by hand.
local p = 1 / (1 + math.exp(-1))  -- softmax({1, 0})[1]
local g = nn.CrossEntropyLoss{weights = {3, 1}}:backward(tensor.new({{1, 0}, {1, 0}}), {1, 2})
check.tensor(g, {{3 / 2 * (p - 1), 3 / 2 * (1 - p)}, {1 / 2 * p, 1 / 2 * (-p)}}, 1e-15, "cross-entropy gradient")
-- Stable for large logits.
check.near(nn.CrossEntropyLoss():forward(tensor.new({{1000, 0}}), {2}), 1000, 1e-12, "large logits")

-- MSE against one-hot targets, summed over classes, averaged over samples.
local o = tensor.new({{0.5, 0.2}, {0.1, 0.9}})
local mse = nn.MSELoss()
check.near(mse:forward(o, {1, 2}), (0.29 + 0.02) / 2, 1e-15, "mse")
mse:set_weights({2, 1})
check.near(mse:forward(o, {1, 2}), (2 * 0.29 + 0.02) / 2, 1e-15, "weighted mse")
check.tensor(mse:backward(o, {1, 2}), {{-1, 0.4}, {0.1, -0.1}}, 1e-15, "mse gradient")

-- evaluate: unweighted loss, weighted loss, correct count, gradient, in one pass.
ce:set_weights({0.5, 2, 4})
local loss, weighted, correct, grad = ce:evaluate(z, y)
check.near(loss, (l1 + l2 + l3) / 3, 1e-15, "evaluate loss")
check.eq(weighted, ce:forward(z, y), "evaluate weighted loss = forward")
check.eq(correct, 3, "evaluate correct (row 2 is a tie, decided for class 1)")
check.tensor(grad, ce:backward(z, y), 0, "evaluate gradient = backward")
local _, _, c2 = ce:evaluate(z, {1, 2, 2})
check.eq(c2, 1, "correct count")
local buffer = tensor.zeros(3, 3)
local _, _, _, same = ce:evaluate(z, y, buffer)
check.eq(same, buffer, "evaluate writes into a given buffer")
check.tensor(buffer, grad, 0, "buffer contents")

-- Bad labels: the message names the row and the value.
check.raises("row 3: label 4 outside 1..3", ce.forward, ce, z, {1, 2, 4})
check.raises("row 1: label 0 outside 1..3", ce.backward, ce, z, {0, 2, 3})
check.raises("row 2: label -1 outside 1..3", ce.evaluate, ce, z, tensor.new({1, -1, 3}))
check.raises("row 2: label 1.5 is not an integer", ce.forward, ce, z, {1, 1.5, 3})
check.raises("row 3: label nan is not an integer", mse.forward, nn.MSELoss(), tensor.zeros(3, 2), {1, 2, 0 / 0})
check.raises("2 labels for 3 rows", ce.forward, ce, z, {1, 2})
check.raises("4 labels for 3 rows", ce.forward, ce, z, {1, 2, 3, 1})
check.raises("labels[2] must be a number, got string", ce.forward, ce, z, {1, "2", 3})
check.raises("labels must be 1-D, got shape (3x1)", ce.forward, ce, z, tensor.ones(3, 1))
check.raises("MSELoss: row 2: label 3 outside 1..2", mse.forward, mse, o, {1, 3})
-- Bad weights.
check.raises("CrossEntropyLoss: 3 classes, 2 weights", nn.CrossEntropyLoss{weights = {1, 2}}.forward,
  nn.CrossEntropyLoss{weights = {1, 2}}, z, y)
check.raises("MSELoss: 2 classes, 3 weights", function() return nn.MSELoss{weights = {1, 2, 3}}:forward(o, {1, 2}) end)
check.raises("weight 2 is inf (weights must be finite)", ce.set_weights, ce, {1, 1 / 0, 1})
check.raises("weight 3 is nan", function() nn.MSELoss{weights = {1, 1, 0 / 0}} end)
check.raises("set_weights: weight 2 must be a number, got string", ce.set_weights, ce, {1, "x"})
check.raises("weights must not be empty", ce.set_weights, ce, {})
check.raises("unknown option 'weight'", nn.CrossEntropyLoss, {weight = {1, 2}})
check.raises("expected a 2-D output", ce.forward, ce, tensor.zeros(3), {1, 1, 1})
check.raises("loss expected, got module", function() return nn.CrossEntropyLoss().forward(nn.ReLU(), z, y) end)

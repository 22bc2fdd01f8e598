-- Dropout, GlobalAvgPool2d and BatchNorm2d: closed forms, train vs evaluate mode, gradients
-- against central finite differences (float64), float32, save/load, errors.
local check = require "check"

local rel_error, numeric = check.rel_error, check.numeric_gradient

-- GlobalAvgPool2d: the plane means; backward spreads g / (H W).
local gap = nn.GlobalAvgPool2d()
check.eq(tostring(gap), "GlobalAvgPool2d", "tostring")
local img = tensor.new{ { { { 1, 2 }, { 3, 6 } }, { { -1, -1 }, { -1, 3 } } } }
check.tensor(gap:forward(img), { { 3, 0 } }, 0, "plane means")
check.tensor(gap:backward(img, tensor.new{ { 4, -8 } }), { { { { 1, 1 }, { 1, 1 } }, { { -2, -2 }, { -2, -2 } } } }, 0, "spread")
check.raises("GlobalAvgPool2d: input must be 4-D (N, C, H, W), got shape (2x3)", function() return gap:forward(tensor.zeros(2, 3)) end)

-- BatchNorm2d in training mode: every channel of the output has mean 0 and variance 1 (biased),
-- then weight and bias shift and scale it; the running statistics move by momentum.
tensor.seed(5)
local bn = nn.BatchNorm2d(3, { eps = 1e-9 })
check.eq(tostring(bn), "BatchNorm2d(3, eps 1e-09)", "tostring")
check.eq(bn:num_parameters(), 6, "weight and bias")
check.tensor(bn.weight, { 1, 1, 1 }, 0, "weight starts at 1")
check.tensor(bn.running_var, { 1, 1, 1 }, 0, "running var starts at 1")
local x = tensor.randn(4, 3, 5, 2) * 3 + 2
local y = bn:forward(x)
local per_channel = y:transpose(1, 2):reshape(3, 40)
check.tensor(per_channel:mean(2), { 0, 0, 0 }, 1e-12, "channel means")
check.tensor((per_channel * per_channel):mean(2), { 1, 1, 1 }, 1e-8, "channel variances")
local xc = x:transpose(1, 2):reshape(3, 40)
local mean = xc:mean(2)
local centred = xc - mean:view(3, 1)
local unbiased = (centred * centred):sum(2) / 39
check.tensor(bn.running_mean, mean * 0.1, 1e-14, "running mean after one step")
check.tensor(bn.running_var, unbiased * 0.1 + 0.9, 1e-14, "running var after one step")
bn.weight:copy_(tensor.new{ 2, 1, 0.5 }); bn.bias:copy_(tensor.new{ 1, 0, -1 })
local y2 = bn:forward(x):transpose(1, 2):reshape(3, 40)
check.tensor(y2:mean(2), { 1, 0, -1 }, 1e-12, "bias is the channel mean")

-- Evaluation mode: the running statistics, an affine map per channel; they do not move.
bn:evaluate()
local rm, rv = bn.running_mean:clone(), bn.running_var:clone()
local ye = bn:forward(x):transpose(1, 2):reshape(3, 40)
local want = (xc - rm:view(3, 1)) / (rv + 1e-9):sqrt():view(3, 1) * tensor.new{ 2, 1, 0.5 }:view(3, 1) + tensor.new{ 1, 0, -1 }:view(3, 1)
check.tensor(ye, want, 1e-13, "evaluate: running statistics")
check.tensor(bn.running_mean, rm, 0, "evaluate leaves the running mean")
bn:train()

-- Dropout: the identity in evaluate mode; in training mode zeros with probability p and
-- 1/(1-p) elsewhere, backward multiplies by the same mask, masks come from the seed.
local d = nn.Dropout(0.25, { seed = 7 })
check.eq(tostring(d), "Dropout(0.25)", "tostring")
local ones = tensor.ones(200, 50)
local out = d:forward(ones)
local kept = (out:gt(0)):sum()
check.eq(math.abs(kept / 10000 - 0.75) < 0.02, true, "about 3/4 kept, got " .. kept)
check.eq(out:max(), 1 / 0.75, "kept values scaled by 1/(1-p)")
check.eq((out:eq(0) + out:eq(1 / 0.75)):sum(), 10000, "every value is 0 or 1/(1-p)")
local g = tensor.randn(200, 50)
check.tensor(d:backward(ones, g), g * out, 0, "backward applies the mask")
local again = nn.Dropout(0.25, { seed = 7 })
check.tensor(again:forward(ones), out, 0, "same seed, same first mask")
check.eq(rel_error(again:forward(ones), out) > 0.1, true, "the next pass has another mask")
d:evaluate()
check.tensor(d:forward(g), g, 0, "evaluate: identity")
check.tensor(d:backward(g, ones), ones, 0, "evaluate: backward identity")
check.raises("nn.Dropout: p must be in [0, 1), got 1", nn.Dropout, 1)
check.raises("nn.Dropout: p must be in [0, 1), got -0.5", nn.Dropout, -0.5)
check.raises("unknown option 'sed'", nn.Dropout, 0.5, { sed = 1 })
check.raises("nn.BatchNorm2d: channel count must be between 1 and 65536, got 0", nn.BatchNorm2d, 0)
check.raises("nn.BatchNorm2d: eps must be positive and finite, got -1", nn.BatchNorm2d, 2, { eps = -1 })
check.raises("nn.BatchNorm2d: momentum must be in [0, 1], got 2", nn.BatchNorm2d, 2, { momentum = 2 })
check.raises("has 2 channels, expected 3", function() return nn.BatchNorm2d(3):forward(tensor.zeros(1, 2, 2, 2)) end)

-- Gradients against finite differences, parameters and input: a CNN with BatchNorm2d in
-- training mode (batch statistics), and with BatchNorm2d and Dropout in evaluate mode.
local function cnn()
  return nn.Sequential(nn.Conv2d(2, 3, 3, { padding = 1 }), nn.BatchNorm2d(3), nn.Tanh(), nn.Dropout(0.5),
                       nn.Conv2d(3, 2, 2), nn.BatchNorm2d(2, { momentum = 0.3 }), nn.GlobalAvgPool2d(), nn.Linear(2, 3))
end
tensor.seed(8)
local X = tensor.randn(5, 2, 4, 4)
local labels = { 1, 2, 3, 1, 2 }
local loss = nn.CrossEntropyLoss{ weights = { 1, 2, 0.5 } }
for _, mode in ipairs{ "train", "evaluate" } do
  local m = cnn()
  m:get(2).bias:copy_(tensor.new{ 0.1, -0.2, 0.3 }); m:get(2).weight:copy_(tensor.new{ 1.5, 0.7, -1 })
  -- Running statistics away from (0, 1) so that evaluate mode is not the identity.
  m:forward(X)
  if mode == "train" then m:get(4):evaluate() else m:evaluate() end
  m:zero_grad()
  local o = m:forward(X)
  local gx = m:backward(X, loss:backward(o, labels))
  local analytic = m:flat_gradients()
  local f = function() return loss:forward(m:forward(X), labels) end
  local fd = numeric(f, m:flat_parameters(), function(v) m:set_flat_parameters(v) end)
  local e = rel_error(analytic, fd)
  if e > 1e-7 then error(mode .. ": parameter gradient relative error " .. e) end
  local ex = rel_error(gx:reshape(X:numel()), numeric(f, X:view(X:numel()), function() end))
  if ex > 1e-7 then error(mode .. ": input gradient relative error " .. ex) end
end

-- float32 through m:to: the same outputs to float32 precision; save/load keeps everything
-- (parameters, running statistics, the dropout seed and pass count) bit for bit.
tensor.seed(9)
local m = cnn()
m:forward(X); m:forward(X)
local path = os.tmpname()
m:save(path)
local back = nn.load(path)
check.eq(tostring(back), tostring(m), "tostring after load")
check.tensor(back:get(2).running_var, m:get(2).running_var, 0, "running var saved")
check.tensor(back:forward(X), m:forward(X), 0, "same output in training mode (same next dropout mask)")
m:evaluate(); back:evaluate()
check.tensor(back:forward(X), m:forward(X), 0, "same output in evaluate mode")
local f64 = m:forward(X):clone()
m:to("float32")
check.eq(m:get(2).running_mean:dtype(), "float32", "running mean converted")
check.eq(rel_error(m:forward(X):to("float64"), f64) < 1e-5, true, "float32 agrees")
m:save(path)
check.eq(nn.load(path):get(2).weight:dtype(), "float32", "float32 saved")
os.remove(path)

-- train.fit with these layers: the loss goes down; the dropout layer saw one pass per step.
tensor.seed(10)
local net = cnn()
local h = train.fit{ model = net, loss = nn.CrossEntropyLoss(), optimizer = optim.SGD(net, { lr = 0.1 }),
                     x = X, y = labels, steps = 30, progress = false }
check.eq(h.loss[#h.loss] < h.loss[1], true, "train.fit lowers the loss")

-- train.fit with Dropout and BatchNorm2d: a run that crashes and resumes from its checkpoint
-- ends bit for bit where the uninterrupted run does (the checkpoint keeps the running
-- statistics and the dropout pass count); validation and h.final run in evaluate mode.
local bits = check.bits
local ck = os.tmpname()
os.remove(ck)
local function run(crash_at, resume)
  tensor.seed(12)
  local m = cnn()
  local ok, h = pcall(train.fit, {
    model = m, loss = nn.CrossEntropyLoss(), optimizer = optim.SGD(m, { lr = 0.05, momentum = 0.9 }),
    x = X, y = labels, steps = 12, batch_size = 3, progress = false, validation = { x = X, y = labels },
    checkpoint = resume and { path = ck, every = 4 } or nil, resume = resume and ck or nil,
    on_step = function(s) if s == crash_at then error("simulated crash") end end })
  return ok, h, m
end
local _, ref, mref = run()
check.eq(run(7, true), false, "the run crashed")
local ok2, h2, m2 = run(nil, true)
check.eq(ok2, true, "resumed run")
os.remove(ck)
check.eq(bits(m2:flat_parameters()), bits(mref:flat_parameters()), "parameters after resume")
check.eq(bits(m2:get(2).running_var), bits(mref:get(2).running_var), "running var after resume")
check.eq(h2.loss[#h2.loss], ref.loss[#ref.loss], "last loss")
check.eq(mref:get(4):is_training(), true, "train.fit leaves training mode as it was")
-- Evaluation mode for validation and h.final: equal to a forward in evaluate mode.
mref:evaluate(); m2:evaluate()
-- (h.final goes through the images in chunks of the batch size: equal up to the summation order.)
check.near(ref.final.loss, nn.CrossEntropyLoss():forward(mref:forward(X), labels), 1e-14, "h.final in evaluate mode")
check.eq(ref.val_loss[#ref.val_loss] ~= ref.loss[#ref.loss], true, "validation differs from the training loss")
mref:train(); m2:train()
check.eq(bits(m2:forward(X)), bits(mref:forward(X)), "next dropout mask after resume")

-- Dropout's backward on another input than the last forward's would need another mask: an error.
local dd = nn.Dropout(0.5)
dd:forward(tensor.ones(2, 2))
check.raises("Dropout(0.5): backward needs the input of the most recent forward", function() return dd:backward(tensor.ones(2, 2), tensor.ones(2, 2)) end)
dd:evaluate()
check.tensor(dd:backward(tensor.ones(2, 2), tensor.ones(2, 2) * 3), { { 3, 3 }, { 3, 3 } }, 0, "evaluate mode: any input")

-- float32: BatchNorm2d's forward and backward agree with float64 to float32 precision; Dropout
-- draws the same masks in both dtypes.
tensor.seed(14)
local x64, g64 = tensor.randn(3, 2, 4, 4) * 2 + 1, tensor.randn(3, 2, 4, 4)
local b64, b32 = nn.BatchNorm2d(2), nn.BatchNorm2d(2):to("float32")
b64.weight:copy_(tensor.new{ 0.5, 2 }); b32.weight:copy_(tensor.new{ 0.5, 2 })
local y64, y32 = b64:forward(x64), b32:forward(x64:to("float32"))
check.eq(y32:dtype(), "float32", "float32 output")
check.eq(rel_error(y32:to("float64"), y64) < 1e-6, true, "float32 forward")
local gx64, gx32 = b64:backward(x64, g64), b32:backward(x64:to("float32"), g64:to("float32"))
check.eq(rel_error(gx32:to("float64"), gx64) < 1e-5, true, "float32 input gradient")
check.eq(rel_error(b32.grad_weight:to("float64"), b64.grad_weight) < 1e-5, true, "float32 weight gradient")
local d64, d32 = nn.Dropout(0.5, { seed = 3 }), nn.Dropout(0.5, { seed = 3 })
check.tensor(d32:forward(tensor.ones(4, 8, "float32")):to("float64"), d64:forward(tensor.ones(4, 8)), 0, "same mask in float32")

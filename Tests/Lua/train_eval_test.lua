-- Validation every K steps (eval_every): when it runs, what it records (val_step), that it is
-- the model's exact metrics at that step's parameters, batched like train.evaluate; the log's
-- empty fields between evaluations; train.evaluate in chunks.
local check = require "check"

local bits = check.bits

tensor.seed(21)
local X = tensor.rand(10, 1, 4, 4)
local y = { 1, 2, 3, 1, 2, 3, 1, 2, 3, 1 }
local Xv = tensor.rand(7, 1, 4, 4)
local yv = { 2, 2, 1, 3, 1, 3, 2 }
local function net()
  tensor.seed(9)
  return nn.Sequential(nn.Conv2d(1, 3, 3, { padding = 1 }), nn.Tanh(), nn.AvgPool2d(2), nn.Flatten(), nn.Linear(12, 3))
end
local loss = nn.CrossEntropyLoss()
local log = os.tmpname()

-- The validation values of step s are the model's at the parameters before step s's update:
-- on_step (called after that update) cannot see them, so a copy of the model is taken before.
local m = net()
local before = {}
local h = train.fit{ model = m, loss = loss, optimizer = optim.SGD(m, { lr = 0.3 }), x = X, y = y, steps = 12,
                     batch_size = 3, every = 4, eval_every = 3, validation = { x = Xv, y = yv }, log = log,
                     progress = false, on_step_every = 1,
                     on_step = function(s, info)
                       -- parameters after step s = before step s + 1
                       before[s + 1] = m:flat_parameters():clone()
                       if info.val_loss then check.eq((s - 1) % 3 == 0 or s == 12, true, "val_loss only at eval steps") end
                     end }
check.eq(table.concat(h.val_step, ","), "1,4,7,10,12", "validation at 1, 1 + 3k and the last step")
check.eq(table.concat(h.step, ","), "1,4,5,7,9,10,12", "recorded: every 4, the eval steps and the last")
local probe = net()
for k, s in ipairs(h.val_step) do
  if s > 1 then probe:set_flat_parameters(before[s]) end
  local l, a = train.evaluate(probe, loss, Xv, yv, { batch_size = 3 })
  check.eq(h.val_loss[k], l, "val_loss at step " .. s .. " (chunks of the batch size)")
  check.eq(h.val_accuracy[k], a, "val_accuracy at step " .. s)
end
local fl, fa = train.evaluate(m, loss, Xv, yv, { batch_size = 3 })
check.eq(h.final.val_loss, fl, "final val_loss")
check.eq(h.final.val_accuracy, fa, "final val_accuracy")

-- The log has a line per recorded step; validation's fields are empty where it did not run.
local f = assert(io.open(log)); local text = f:read("a"); f:close()
os.remove(log)
local lines = {}
for line in text:gmatch("[^\n]+") do lines[#lines + 1] = line end
check.eq(lines[1], "step,loss,weighted_loss,accuracy,w1,w2,w3,val_loss,val_accuracy", "header")
check.eq(#lines, 8, "a line per recorded step")
check.eq(lines[4]:match("^5,.*,,$") ~= nil, true, "step 5: empty validation fields (" .. lines[4] .. ")")
check.eq(lines[5]:match("^7,.*,[%d.e-]+,[%d.e-]+$") ~= nil, true, "step 7: validation values (" .. lines[5] .. ")")

-- Without eval_every, validation runs at every recorded step as before (val_step = step).
m = net()
h = train.fit{ model = m, loss = loss, optimizer = optim.SGD(m, { lr = 0.3 }), x = X, y = y, steps = 7, every = 3,
               validation = { x = Xv, y = yv }, progress = false }
check.eq(table.concat(h.val_step, ","), table.concat(h.step, ","), "default: at every recorded step")
check.raises("train.fit: option 'eval_every' needs validation = {x = ..., y = ...}", train.fit,
             { model = m, loss = loss, optimizer = optim.SGD(m, { lr = 0.3 }), x = X, y = y, steps = 2, eval_every = 2 })

-- train.evaluate in chunks: the same accuracies, the loss up to rounding; chunk sizes that do
-- and do not divide the row count.
local l1, a1, c1 = train.evaluate(m, loss, Xv, yv)
for _, b in ipairs{ 1, 2, 3, 7, 100 } do
  local l, a, c = train.evaluate(m, loss, Xv, yv, { batch_size = b })
  check.near(l, l1, 1e-14, "loss in chunks of " .. b)
  check.eq(a, a1, "accuracy in chunks of " .. b)
  check.eq(bits(tensor.new(c)), bits(tensor.new(c1)), "class accuracy in chunks of " .. b)
end
-- Independent: the loss and accuracy from the model's output on all rows at once.
local out = m:forward(Xv)
local right, sum = 0, 0
for i = 1, #yv do
  local row, best = out[i], 1
  for j = 2, 3 do if row[j] > row[best] then best = j end end
  if best == yv[i] then right = right + 1 end
  local mx = math.max(row[1], row[2], row[3])
  sum = sum + (mx + math.log(math.exp(row[1] - mx) + math.exp(row[2] - mx) + math.exp(row[3] - mx))) - row[yv[i]]
end
check.eq(a1, right / #yv, "accuracy from the outputs")
check.near(l1, sum / #yv, 1e-12, "loss from the outputs")

-- train.evaluate on images without batch_size: chunks of 256 rows (the same bits as asking
-- for them), the accuracies of one pass.
tensor.seed(5)
local Xb = tensor.rand(300, 1, 4, 4)
local yb = {}
for i = 1, 300 do yb[i] = i % 3 + 1 end
local lb, ab, cb = train.evaluate(m, loss, Xb, yb)
local l256, a256 = train.evaluate(m, loss, Xb, yb, { batch_size = 256 })
local lall, aall, call = train.evaluate(m, loss, Xb, yb, { batch_size = 300 })
check.eq(lb, l256, "default chunks of 256 rows")
check.eq(ab, aall, "accuracy as in one pass")
check.eq(bits(tensor.new(cb)), bits(tensor.new(call)), "class accuracy as in one pass")
check.near(lb, lall, 1e-14, "loss as in one pass up to rounding")

-- Data augmentation: data.augment's images are shifted (and mirrored) copies of the originals,
-- every shift and flip equally likely; train.fit's `augment` trains on exactly those images
-- (the same draws for the same seed) and a crashed run resumes bit for bit.
local check = require "check"

local bits = check.bits

-- Images whose pixels are all different (1..16 per channel, plus 100 per channel), so that a
-- shift and flip is recognized from the output alone.
local N, Cn, H, W = 1800, 2, 4, 4
local img = {}
for c = 1, Cn do
  img[c] = {}
  for i = 1, H do img[c][i] = {}; for j = 1, W do img[c][i][j] = 100 * c + (i - 1) * W + j end end
end
local rows = {}
for n = 1, N do rows[n] = img end
local x = tensor.new(rows)
local p = 1
local a = data.augment(x, { crop = p, flip = true, seed = 7 })
check.eq(a:dtype(), "float64", "dtype kept")
check.eq(tostring(a:shape()), tostring(x:shape()), "shape kept")

-- The expected image for shift (dy, dx) and flip f, computed here pixel by pixel.
local function expected(c, dy, dx, f)
  local out = {}
  for i = 1, H do
    for j = 1, W do
      local jj = f and (W + 1 - j) or j
      local si, sj = i + dy, jj + dx
      out[#out + 1] = (si >= 1 and si <= H and sj >= 1 and sj <= W) and (100 * c + (si - 1) * W + sj) or 0
    end
  end
  return table.concat(out, ",")
end
local candidates = {}
for dy = -p, p do for dx = -p, p do for _, f in ipairs{ false, true } do
  candidates[#candidates + 1] = { dy = dy, dx = dx, f = f, key = expected(1, dy, dx, f) .. "|" .. expected(2, dy, dx, f) }
end end end
local counts, flips = {}, 0
local at = a:totable()
for n = 1, N do
  local parts = {}
  for c = 1, Cn do
    local v = {}
    for i = 1, H do for j = 1, W do v[#v + 1] = string.format("%g", at[n][c][i][j]) end end
    parts[c] = table.concat(v, ",")
  end
  local key, found = table.concat(parts, "|"), nil
  for k, cand in ipairs(candidates) do if cand.key == key then found = k end end
  if not found then error("image " .. n .. " is no shifted or mirrored copy: " .. key) end
  counts[found] = (counts[found] or 0) + 1
  if candidates[found].f then flips = flips + 1 end
end
-- 18 outcomes, 100 expected each: all within 5 standard deviations (about 10 each).
for k = 1, #candidates do
  local n = counts[k] or 0
  if n < 50 or n > 150 then error(string.format("shift (%d, %d) flip %s drawn %d times of %d", candidates[k].dy,
                                               candidates[k].dx, tostring(candidates[k].f), n, N)) end
end
check.eq(flips > 800 and flips < 1000, true, "about half mirrored (" .. flips .. ")")

-- Reproducible from the seed; crop 0 with flip only mirrors; float32 works.
check.eq(bits(data.augment(x, { crop = p, flip = true, seed = 7 })), bits(a), "same seed, same images")
check.eq(bits(data.augment(x, { seed = 7 })), bits(x), "no crop and no flip: a copy")
local f32 = data.augment(x:to("float32"), { crop = p, flip = true, seed = 7 })
check.eq(f32:dtype(), "float32", "float32 stays float32")
check.eq(bits(f32:to("float64")), bits(a), "float32 images get the same draws")
local strided = tensor.zeros(N, Cn, H, 2 * W):narrow(4, 1, W)
strided:copy_(x)
check.eq(bits(data.augment(strided, { crop = p, flip = true, seed = 7 })), bits(a), "a strided view")

-- train.fit: full-batch training with `augment` is one step on data.augment(X, same seed).
tensor.seed(3)
local X = tensor.rand(6, 1, 5, 5)
local y = { 1, 2, 3, 1, 2, 3 }
local function net()
  tensor.seed(9)
  return nn.Sequential(nn.Conv2d(1, 3, 3, { padding = 1 }), nn.ReLU(), nn.AvgPool2d(2), nn.Flatten(), nn.Linear(12, 3))
end
local m1 = net()
train.fit{ model = m1, loss = nn.CrossEntropyLoss(), optimizer = optim.SGD(m1, { lr = 0.5 }), x = X, y = y, steps = 1,
           seed = 11, augment = { crop = 2, flip = true }, progress = false }
local m2 = net()
local loss, XA = nn.CrossEntropyLoss(), data.augment(X, { crop = 2, flip = true, seed = 11 })
local opt2 = optim.SGD(m2, { lr = 0.5 })
opt2:zero_grad()
local out = m2:forward(XA)
loss:forward(out, y)
m2:backward(XA, loss:backward(out, y))
opt2:step()
check.eq(bits(m1:flat_parameters()), bits(m2:flat_parameters()), "train.fit trains on the augmented images")
check.eq(bits(XA) ~= bits(X), true, "the images did change")

-- Checkpoints: augmentation, an lr schedule and eval_every together; a crash and a resume
-- give the same run, bit for bit.
local Xv = tensor.rand(5, 1, 5, 5)
local yv = { 3, 1, 2, 2, 1 }
local dir = os.tmpname()
os.remove(dir)
local ck, log = dir .. ".ck", dir .. ".csv"
local read = check.read_file
local function run(opts)
  local m = net()
  local ok, h = pcall(train.fit, {
    model = m, loss = nn.CrossEntropyLoss(), x = X, y = y, steps = 23, batch_size = 4, every = 2, eval_every = 5,
    optimizer = optim.SGD(m, { lr = optim.schedule.cosine{ lr = 0.3, steps = 23, warmup = 4 }, momentum = 0.9 }),
    validation = { x = Xv, y = yv }, augment = { crop = 1, flip = true }, seed = 5, progress = false, log = log,
    checkpoint = opts.checkpoint, resume = opts.resume,
    on_step = function(s) if s == opts.crash_at then error("simulated crash") end end })
  return ok, h, m
end
local _, ref, mref = run{}
local ref_log = read(log)
os.remove(log); os.remove(ck)
check.eq(run{ checkpoint = { path = ck, every = 6 }, resume = ck, crash_at = 16 }, false, "the run crashed")
check.eq(read(ck):match("\naugment %d+ %d+ %d+ %d+\n") ~= nil, true, "the checkpoint holds the augmentation's generator")
local ok, h, m = run{ checkpoint = { path = ck, every = 6 }, resume = ck }
check.eq(ok, true, "resumed")
check.eq(bits(m:flat_parameters()), bits(mref:flat_parameters()), "same parameters after resuming")
for _, key in ipairs{ "step", "loss", "accuracy", "val_step", "val_loss", "val_accuracy" } do
  check.eq(bits(tensor.new(h[key])), bits(tensor.new(ref[key])), "history " .. key)
end
check.eq(read(log), ref_log, "the same log")
check.eq(table.concat(ref.val_step, ","), "1,6,11,16,21,23", "validation every 5 steps and at the last")
check.eq(table.concat(ref.step, ","), "1,3,5,6,7,9,11,13,15,16,17,19,21,23", "recorded: every 2, the eval steps, the last")
-- Another augmentation setting is another run.
local m3 = net()
check.raises("belongs to another run (augment crop1+flip there, crop2 here)", train.fit, {
  model = m3, loss = nn.CrossEntropyLoss(), x = X, y = y, steps = 23, batch_size = 4, every = 2, eval_every = 5,
  optimizer = optim.SGD(m3, { lr = optim.schedule.cosine{ lr = 0.3, steps = 23, warmup = 4 }, momentum = 0.9 }),
  validation = { x = Xv, y = yv }, augment = { crop = 2 }, seed = 5, progress = false, resume = ck })
os.remove(ck); os.remove(log)

-- Errors name what was wrong.
local mlp = nn.Sequential(nn.Linear(2, 3))
check.raises("train.fit: augment needs images of shape (N, C, H, W), got x of shape (4x2)", train.fit, {
  model = mlp, loss = nn.CrossEntropyLoss(), optimizer = optim.SGD(mlp, { lr = 0.1 }), x = tensor.randn(4, 2),
  y = { 1, 2, 3, 1 }, steps = 1, augment = { flip = true }, progress = false })
local cnn = net()
local base = { model = cnn, loss = nn.CrossEntropyLoss(), optimizer = optim.SGD(cnn, { lr = 0.1 }), x = X, y = y,
               steps = 1, progress = false }
local function fit(extra) return train.fit(check.with(base, extra)) end
check.raises("train.fit: augment crop = 6 is larger than the images (5x5)", fit, { augment = { crop = 6 } })
check.raises("train.fit: augment: crop must be an integer >= 0 (at most the image size), got -1", fit, { augment = { crop = -1 } })
check.raises("unknown option 'flop'", fit, { augment = { flop = true } })
check.raises("train.fit: option 'augment' must be a table {crop = p, flip = true}, got boolean", fit, { augment = true })
check.raises("train.fit: eval_every must be >= 1, got 0", fit, { eval_every = 0 })
check.raises("data.augment: augment needs images of shape (N, C, H, W), got x of shape (3)", data.augment, tensor.zeros(3))
check.raises("data.augment: crop must be an integer >= 0 (at most the image size), got -2", data.augment, X, { crop = -2 })
check.raises("tensor expected", data.augment, "x")
check.raises("data.augment: crop must be an integer >= 0 (at most the image size), got 9223372036854775807", data.augment, X,
             { crop = math.maxinteger })

-- Conv2d, AvgPool2d, MaxPool2d and Flatten from Lua: shapes, options, init, dtype, optimizers.
local check = require "check"

-- An init function sets exact weights: a 2x2 kernel of ones sums each window.
local sizes
local conv = nn.Conv2d(1, 1, 2, { init = function(...) sizes = { ... }; return tensor.ones(1, 1, 2, 2) end, bias = false })
check.eq(table.concat(sizes, ","), "1,1,2,2", "init called with (out, in, kh, kw)")
check.eq(#conv:parameters(), 1, "no bias: weight only")
local x = tensor.new{ { { { 1, 2, 3 }, { 4, 5, 6 }, { 7, 8, 9 } } } }
check.tensor(conv:forward(x), { { { { 12, 16 }, { 24, 28 } } } }, 0, "window sums")
-- Padding 1, stride 2 over the same image: the corners see one, two or four pixels.
local padded = nn.Conv2d(1, 1, 2, { init = function() return tensor.ones(1, 1, 2, 2) end, bias = false, stride = 2, padding = 1 })
check.tensor(padded:forward(x), { { { { 1, 5 }, { 11, 28 } } } }, 0, "padding and stride")
check.tensor(nn.Conv2d(1, 1, { 1, 2 }, { init = function() return tensor.new{ { { { 1, -1 } } } } end, bias = false }):forward(x),
             { { { { -1, -1 }, { -1, -1 }, { -1, -1 } } } }, 0, "rectangular kernel")

-- Fields, parameters(), gradients(), printing.
local c = nn.Conv2d(3, 8, 3, { stride = { 2, 1 }, padding = { 1, 0 } })
check.eq(tostring(c), "Conv2d(3 -> 8, 3x3, stride 2x1, padding 1x0)", "tostring")
check.eq(tostring(c.weight:shape()), "(8x3x3x3)", "weight shape")
check.eq(tostring(c.bias:shape()), "(8)", "bias shape")
check.eq(c:num_parameters(), 8 * 27 + 8, "num_parameters")
check.eq(c:parameters()[1] == c.weight, true, "parameters()[1] is the weight")
check.eq(tostring(nn.MaxPool2d(2)), "MaxPool2d(2)", "MaxPool2d")
check.eq(tostring(nn.AvgPool2d(3, 2)), "AvgPool2d(3, stride 2)", "AvgPool2d")

-- A small CNN in a Sequential: forward shape, float32 through m:to, an SGD step that lowers the loss.
tensor.seed(3)
local net = nn.Sequential(nn.Conv2d(1, 4, 3, { padding = 1 }), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(4, 4, 3), nn.ReLU(), nn.AvgPool2d(2), nn.Flatten(), nn.Linear(4, 3))
local X = tensor.randn(6, 1, 8, 8)
local y = tensor.new{ 1, 2, 3, 1, 2, 3 }
check.eq(tostring(net:forward(X):shape()), "(6x3)", "CNN output")
local loss = nn.CrossEntropyLoss()
local opt = optim.SGD(net, { lr = 0.1 })
local before = loss:forward(net:forward(X), y)
for _ = 1, 20 do
  opt:zero_grad()
  local out = net:forward(X)
  loss:forward(out, y)
  net:backward(X, loss:backward(out, y))
  opt:step()
end
check.eq(loss:forward(net:forward(X), y) < before, true, "SGD lowers the loss")
net:to("float32")
check.eq(net:dtype(), "float32", "m:to(float32)")
check.eq(net:forward(X):dtype(), "float32", "float32 output")

-- Errors name what is wrong.
check.raises("nn.Conv2d: kernel size must be between 1 and 65536, got 0x0", nn.Conv2d, 1, 2, 0)
check.raises("nn.Conv2d: kernel_size must be an integer or a table of two integers {h, w}", nn.Conv2d, 1, 2, { 1, 2, 3 })
check.raises("bad argument #3 to 'nn.Conv2d' (kernel size expected", nn.Conv2d, 1, 2)
check.raises("nn.Conv2d: option 'stride' must be an integer or a table {h, w}, got string", nn.Conv2d, 1, 2, 3, { stride = "2" })
check.raises("unknown option 'dilation'", nn.Conv2d, 1, 2, 3, { dilation = 2 })
check.raises("nn.Conv2d: the init function must return a tensor of shape (2x1x3x3), got shape (2x1x3)",
             nn.Conv2d, 1, 2, 3, { init = function() return tensor.zeros(2, 1, 3) end })
check.raises("nn.MaxPool2d: stride must be between 1 and 65536, got 0x0", nn.MaxPool2d, 2, 0)
check.raises("input of shape (1x2x8x8) has 2 channels, expected 1", function() return net:forward(tensor.randn(1, 2, 8, 8)) end)
check.raises("Flatten: input must have at least 2 dimensions", function() return nn.Flatten():forward(tensor.randn(3)) end)

-- train.fit on (N, C, H, W) images: the same trajectory, bit for bit, as the same steps written
-- in Lua, with minibatches gathered from 4-D x; validation on images; train.evaluate on images.
local function cnnSetup()
  tensor.seed(11)
  local m = nn.Sequential(nn.Conv2d(2, 3, 3, { padding = 1 }), nn.Tanh(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(3 * 9, 4))
  return m, nn.CrossEntropyLoss(), optim.SGD(m, { lr = 0.2, momentum = 0.5 })
end
tensor.seed(12)
local Xi = tensor.randn(10, 2, 6, 6)
local yi = tensor.new{ 1, 2, 3, 4, 1, 2, 3, 4, 1, 2 }
local m1, l1, o1 = cnnSetup()
local steps = 6
local h = train.fit{ model = m1, loss = l1, optimizer = o1, x = Xi, y = yi, steps = steps, progress = false,
                     validation = { x = Xi:narrow(1, 1, 4), y = yi:narrow(1, 1, 4) } }
local m2, l2, o2 = cnnSetup()
for step = 1, steps do
  local out = m2:forward(Xi)
  check.eq(h.loss[step], l2:forward(out, yi), "images: loss at step " .. step)
  local g = l2:backward(out, yi)
  o2:zero_grad()
  m2:backward(Xi, g)
  o2:step()
end
check.tensor(m1:flat_parameters(), m2:flat_parameters(), 0, "images: parameters after training")
local vloss, vacc = train.evaluate(m1, l1, Xi:narrow(1, 1, 4), yi:narrow(1, 1, 4))
check.near(vloss, l2:forward(m2:forward(Xi:narrow(1, 1, 4)), yi:narrow(1, 1, 4)), 1e-12, "train.evaluate on images")
check.eq(vacc, m2:forward(Xi:narrow(1, 1, 4)):argmax(2):eq(yi:narrow(1, 1, 4)):mean(), "evaluate accuracy on images")

-- Minibatches of images (gathering is checked in ConvPoolTests): reproducible from the seed.
local function batched()
  local m, l, o = cnnSetup()
  local hb = train.fit{ model = m, loss = l, optimizer = o, x = Xi, y = yi, steps = 4, batch_size = 5, seed = 3, progress = false }
  return hb, m
end
local ha, ma = batched()
local hb, mb = batched()
check.tensor(ma:flat_parameters(), mb:flat_parameters(), 0, "batched images: same seed, same run")
check.eq(#ha.loss, 4, "batched history")
check.raises("train.fit: validation x has shape (4x2x5x6), but x has samples of shape (2x6x6) (shape (10x2x6x6))",
             train.fit, { model = m1, loss = l1, optimizer = o1, x = Xi, y = yi, steps = 1, progress = false,
                          validation = { x = tensor.zeros(4, 2, 5, 6), y = { 1, 2, 3, 4 } } })

-- Save and load: the same structure and parameters, bit for bit, in both dtypes.
local path = os.tmpname()
for _, dtype in ipairs{ "float64", "float32" } do
  tensor.seed(21)
  local saved = nn.Sequential(nn.Conv2d(2, 3, { 3, 2 }, { stride = { 2, 1 }, padding = { 1, 0 } }), nn.ReLU(),
                              nn.MaxPool2d(2, 1), nn.Conv2d(3, 2, 1, { bias = false }), nn.AvgPool2d(2), nn.Flatten(),
                              nn.Linear(2, 3))
  saved:to(dtype)
  saved:save(path)
  local loaded = nn.load(path)
  check.eq(tostring(loaded), tostring(saved), dtype .. ": structure")
  check.eq(loaded:dtype(), dtype, dtype .. ": dtype")
  check.tensor(loaded:flat_parameters(), saved:flat_parameters(), 0, dtype .. ": parameters")
  local xs = tensor.randn(2, 2, 7, 5, dtype)
  check.tensor(loaded:forward(xs), saved:forward(xs), 0, dtype .. ": outputs")
end
-- A damaged layer line is an error naming the line (checksums are recomputed so the parser sees it).
local function rewrite(from, to)
  local f = assert(io.open(path, "rb")); local text = f:read("a"); f:close()
  text = text:gsub(from, to, 1):gsub("checksum fnv1a64 %x+\n$", "")
  f = assert(io.open(path, "wb")); f:write("dynlua-model 1\n" .. text:gsub("^dynlua%-model 2\n", "")); f:close()
end
nn.Sequential(nn.Conv2d(1, 1, 2), nn.MaxPool2d(2)):save(path)
rewrite("Conv2d 1 1 2 2 1 1 0 0", "Conv2d 1 1 0 2 1 1 0 0")
check.raises("is corrupt at line 3: Conv2d: kernel size must be between 1 and 65536, got 0x2", nn.load, path)
nn.Sequential(nn.Conv2d(1, 1, 2), nn.MaxPool2d(2)):save(path)
rewrite("MaxPool2d 2 2", "MaxPool2d 2")
check.raises("expected 'MaxPool2d <k> <stride>'", nn.load, path)
nn.Sequential(nn.Conv2d(1, 1, 2), nn.MaxPool2d(2)):save(path)
rewrite("Conv2d 1 1 2 2 1 1 0 0 bias", "Conv2d 1 2 2 2 1 1 0 0 bias")
check.raises("expected 4 numbers (a Conv2d weight row), found 1", nn.load, path)
os.remove(path)

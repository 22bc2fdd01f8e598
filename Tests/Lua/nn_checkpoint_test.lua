-- Saving and loading models, initialization by seed and by a Lua function.
local check = require "check"

local function write(path, text)
  local f = assert(io.open(path, "wb")); f:write(text); f:close()
end
local function read(path)
  local f = assert(io.open(path, "rb")); local s = f:read("a"); f:close(); return s
end

-- Round trip: identical parameters (bit for bit), structure and dtype.
tensor.seed(11)
local m = nn.Sequential(nn.Linear(2, 7), nn.Tanh(), nn.Sequential(nn.Linear(7, 4, {bias = false}), nn.ReLU()),
                        nn.Linear(4, 3, {init = "uniform"}), nn.Sigmoid(), nn.Identity(), nn.Softmax(), nn.LogSoftmax())
m[1].weight:set(1 / 3, 1, 1)
m[1].weight:set(-1e-300, 2, 7)
local path = os.tmpname()
m:save(path)
local back = nn.load(path)
check.eq(tostring(back), tostring(m), "structure")
local a, b = m:flat_parameters(), back:flat_parameters()
check.eq(a:numel(), b:numel(), "parameter count")
for i = 1, a:numel() do
  if string.format("%.17g", a[i]) ~= string.format("%.17g", b[i]) then error("parameter " .. i .. " differs") end
end
local x = tensor.randn(5, 2)
check.tensor(back:forward(x), m:forward(x), 0, "same outputs")
check.eq(read(path):sub(1, 15), "dynlua-model 2\n", "header")

m:to("float32")
m:save(path)
local back32 = nn.load(path)
check.eq(back32:dtype(), "float32", "float32 round trip dtype")
check.tensor(back32:flat_parameters(), m:flat_parameters(), 0, "float32 round trip values")

-- Corrupted files.
write(path, "return {}\n")
check.raises("is not a dynlua model file (first line 'return {}', expected 'dynlua-model 2')", nn.load, path)
write(path, string.dump(function() return 1 end))
check.raises("is not a dynlua model file", nn.load, path)
write(path, "dynlua-model 9\nReLU\nend\n")
check.raises("has format version 9; this dynlua reads version 1 to 2", nn.load, path)
write(path, "dynlua-model 2\nReLU\nend\n")
check.raises("is damaged: the checksum line is missing", nn.load, path)
write(path, "dynlua-model 1\nLinear 2 2 bias float64\n1 2\n3 4\n")
check.raises("is truncated (the file ends where the bias was expected)", nn.load, path)
write(path, "dynlua-model 1\nLinear 2 2 bias float64\n1 2\n3 4\n5 6\n")
check.raises("is truncated (the file ends where the final 'end' line was expected)", nn.load, path)
write(path, "dynlua-model 1\nLinear 2 2 bias float64\n1 2\n3\n5 6\nend\n")
check.raises("is corrupt at line 4: expected 2 numbers (a weight row), found 1", nn.load, path)
write(path, "dynlua-model 1\nLinear 2 2 bias float16\n")
check.raises("is corrupt at line 2: expected 'Linear <n_in> <n_out> <bias|nobias> <float64|float32>'", nn.load, path)
write(path, "dynlua-model 1\nLinear 1 1 nobias float64\n0.5\nend\n")
check.tensor(nn.load(path):forward(tensor.new({{2}})), {{1}}, 0, "a hand-written file")
os.remove(path)
check.raises("nn.load: cannot read '" .. path .. "' (no such file or directory)", nn.load, path)
check.raises("nn.load: the file name 'ab\\0cd' contains a NUL byte", nn.load, "ab\0cd")
check.raises("save: cannot write", m.save, m, path .. "/no/such/dir")

-- Initialization: reproducible by seed, Glorot statistics, custom functions.
tensor.seed(5)
local w1 = nn.Linear(3, 4).weight:clone()
tensor.seed(5)
check.tensor(nn.Linear(3, 4).weight, w1, 0, "same seed, same weights")
tensor.seed(6)
check.eq((nn.Linear(3, 4).weight - w1):abs():max() > 0, true, "other seed, other weights")
tensor.seed(1)
local big = nn.Linear(300, 500)
local w = big.weight
check.near(w:mean(), 0, 1e-3, "glorot mean")
local std = math.sqrt(((w - w:mean()) ^ 2):sum() / (w:numel() - 1))
check.near(std, math.sqrt(2 / 800), 0.01 * math.sqrt(2 / 800), "glorot std")
check.near(math.sqrt((big.bias ^ 2):mean()), 0.01, 0.1 * 0.01, "bias std")
local he = nn.Linear(400, 400, {init = "he_normal"}).weight
check.near(math.sqrt((he ^ 2):mean()), math.sqrt(2 / 400), 0.01 * math.sqrt(2 / 400), "he std")
local u = nn.Linear(400, 400, {init = "uniform"}).weight
check.eq(u:abs():max() <= 1 / 20, true, "uniform bound")
check.near(math.sqrt((u ^ 2):mean()), 1 / 20 / math.sqrt(3), 0.01, "uniform std")

local seen
local custom = nn.Linear(2, 3, {init = function(n_in, n_out) seen = {n_in, n_out}; return tensor.ones(n_in, n_out) * 0.25 end})
check.eq(seen[1] * 10 + seen[2], 23, "init function gets (n_in, n_out)")
check.tensor(custom.weight, {{0.25, 0.25, 0.25}, {0.25, 0.25, 0.25}}, 0, "init function values")
check.raises("init function must return a tensor of shape (2x3), got shape (3x2)", nn.Linear, 2, 3,
  {init = function() return tensor.zeros(3, 2) end})
check.raises("init function must return a tensor of shape (2x3), got nil", nn.Linear, 2, 3, {init = function() end})
check.raises("the init function failed: ", nn.Linear, 2, 3, {init = function() error("no weights today") end})
check.raises("no weights today", nn.Linear, 2, 3, {init = function() error("no weights today") end})
check.raises("option 'init' must be a string or a function, got number", nn.Linear, 2, 3, {init = 1})
check.raises("unknown init 'xavier'", nn.Linear, 2, 3, {init = "xavier"})
